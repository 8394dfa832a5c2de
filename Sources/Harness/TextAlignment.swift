extension String {
    /// The string followed by spaces up to `width` characters (at least one space when
    /// it is already as wide), for fixed-width text tables.
    public func leftAligned(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }

    /// Spaces up to `width` characters, then the string.
    public func rightAligned(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
