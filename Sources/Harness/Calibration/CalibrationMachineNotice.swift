import Core

/// Tells a run which of its workloads were calibrated on a CPU recorded under another
/// name than this machine's. A budget is seconds of the calibrating machine (README,
/// *Calibration*), so on another one every submission gets more or fewer steps than the
/// calibration meant, and a workload's times to target are not comparable with another
/// machine's; the workplace's VMs even give two CPU generations the one name "AMD EPYC",
/// which is why provenance adds family, model and stepping.
public enum CalibrationMachineNotice {
    /// One line naming, per recorded CPU other than `cpu`, the workloads of `specs`
    /// calibrated on it; nil when every calibrated one was calibrated on `cpu` (provisional
    /// specs have no machine and are left out). The recorded CPU names, free text from the
    /// spec files, are made plain; workload names were checked plain when the specs loaded.
    public static func line(for specs: [WorkloadSpec], cpu: String) -> String? {
        var elsewhere: [(cpu: String, workloads: [String])] = []
        for spec in specs where !spec.provisional {
            guard let recorded = spec.calibration?.cpu, recorded != cpu else { continue }
            if let i = elsewhere.firstIndex(where: { $0.cpu == recorded }) {
                if !elsewhere[i].workloads.contains(spec.name) { elsewhere[i].workloads.append(spec.name) }
            } else {
                elsewhere.append((recorded, [spec.name]))
            }
        }
        guard !elsewhere.isEmpty else { return nil }
        let groups = elsewhere.map { "\($0.workloads.joined(separator: ", ")) on \(CalibrationTable.cell($0.cpu))" }
        return "note: budgets are seconds of the calibrating machine; this machine is \(CalibrationTable.cell(cpu)); "
            + "calibrated elsewhere: \(groups.joined(separator: "; ")) (see README, Calibration)"
    }
}
