import Core

/// Every registered submission. Adding a submission = one file + one line here.
public enum SubmissionRegistry {
    /// All submissions, in the order `optbench list` shows them.
    public static let all: [any Submission.Type] = [
        SGD.self,
        HeavyBall.self,
        NesterovSGD.self,
        Adam.self,
        AdamW.self,
        NAdamW.self,
        AMSGrad.self,
        Adamax.self,
        RAdam.self,
        AdaBelief.self,
        Yogi.self,
        Adagrad.self,
        RMSProp.self,
        Adafactor.self,
        SM3.self,
        LAMB.self,
        LARS.self,
        Lion.self,
        Signum.self,
        NovoGrad.self,
        Adan.self,
        ADOPT.self,
        AdEMAMix.self,
        ScheduleFreeAdamW.self,
        Prodigy.self,
        DAdaptAdamW.self,
        Muon.self,
        SAM.self,
        Shampoo.self,
        Grams.self,
        MARSAdamW.self,
        AdamW8bit.self,
        SCALE.self,
        SubsetNormAdamW.self,
        GaLore.self,
        SubspaceMomentum.self,
        APOLLO.self,
        APOLLOMini.self,
        FRUGAL.self,
        MicroAdam.self,
        COSMOS.self,
        SPS.self,
        PolyakMomentum.self,
        MeZO.self,
        AdaHessian.self,
        Sophia.self,
        AdAdaGrad.self,
        AdAdaGradNorm.self,
        SANIA.self,
        FOSI.self,
        DeepZero.self,
        LAMBAdaptiveBatch.self,
        // Bilevel solvers: run only on workloads that offer a bilevel oracle.
        SOBA.self,
        AmIGO.self,
        StocBiO.self,
        PenaltyBilevel.self,
        F2SA.self,
        BOREP.self,
    ]

    /// Registry names, in order.
    public static var names: [String] { all.map { $0.name } }

    /// Names of the submissions that run on any workload (every one but the bilevel solvers).
    public static var genericNames: [String] { all.filter { !($0 is any BilevelSolver.Type) }.map { $0.name } }

    /// Names of the bilevel solvers, which run only on workloads offering a bilevel oracle.
    public static var bilevelSolverNames: [String] { all.filter { $0 is any BilevelSolver.Type }.map { $0.name } }

    /// The submission called `name`; throws listing the valid names otherwise.
    public static func submission(named name: String) throws -> any Submission.Type {
        guard let found = all.first(where: { $0.name == name }) else {
            throw InputError(
                source: "submission", field: nil,
                message: "unknown submission '\(name)' (valid: \(names.joined(separator: ", ")))")
        }
        return found
    }
}
