import Foundation

/// The trial files a calibration replaces: those of the workloads it calibrates that it did
/// not itself plan (the reruns of a baseline that won an earlier search, tuning trials of a
/// larger search). Left in the trials folder they would be merged beside the new ones,
/// recorded against the workload's old budget, and the merge keeps one workload record:
/// on 2026-12-03 a recalibration of `regression_cond1e4` merged the earlier search's five
/// reruns and dropped its own 21 trials.
public enum SupersededTrials {
    /// The files of `files` (paths under `trialsDirectory`, laid out
    /// `<ruleset>/<submission>/<workload>/study_<k>/trial_<i>.h5`) whose workload is one of
    /// `workloads` and which are not in `current`.
    public static func among(
        _ files: [String], trialsDirectory: String, workloads: Set<String>, current: Set<String>
    ) -> [String] {
        let prefix = trialsDirectory.hasSuffix("/") ? trialsDirectory : trialsDirectory + "/"
        return files.filter { file in
            guard !current.contains(file), file.hasPrefix(prefix) else { return false }
            let components = file.dropFirst(prefix.count).split(separator: "/")
            return components.count == 5 && workloads.contains(String(components[2]))
        }
    }
}
