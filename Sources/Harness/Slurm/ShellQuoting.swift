import Foundation

/// Quoting for the shell scripts handed to `sbatch`: every word that comes from a file, a
/// path or the command line goes through `quoted(_:)`, so no name can reach a shell as
/// anything but one literal word.
public enum ShellQuoting {
    /// `word` as one POSIX shell word that the shell reads back unchanged: wrapped in single
    /// quotes, each single quote in it written as `'\''`. Nothing inside single quotes is
    /// special to the shell (no `$`, backquote, backslash, glob or newline expansion).
    public static func quoted(_ word: String) -> String {
        "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// A command line of quoted words, separated by spaces.
    public static func commandLine(_ words: [String]) -> String {
        words.map(quoted).joined(separator: " ")
    }
}
