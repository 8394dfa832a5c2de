import Foundation

/// The CPU model and core count of this machine, read from the operating system.
struct MachineDescription {
    let cpuModel: String
    let cores: Int
    let host: String

    static var current: MachineDescription {
        MachineDescription(
            cpuModel: readCPUModel() ?? "unknown CPU",
            cores: ProcessInfo.processInfo.activeProcessorCount,
            host: ProcessInfo.processInfo.hostName)
    }

    var summary: String { "\(cpuModel), \(cores) cores" }

    private static func readCPUModel() -> String? {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }
}
