import Core

/// One trial to run and the spec it runs on: what `TrialPlan` produces and `SuiteRunner`
/// consumes.
public struct TrialJob: Sendable {
    public var request: TrialRequest
    public var spec: WorkloadSpec

    public init(request: TrialRequest, spec: WorkloadSpec) {
        self.request = request
        self.spec = spec
    }
}
