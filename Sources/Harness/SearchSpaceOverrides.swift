import Core
import Submissions

/// Search spaces read from files that replace submissions' own for external tuning
/// (`optbench run --search-space`), in any of AlgoPerf's `tuning_search_space.json` forms.
public enum SearchSpaceOverrides {
    /// Reads `--search-space` arguments: a bare `FILE` when exactly one submission runs,
    /// `NAME=FILE` (one per submission, any subset of them) otherwise. Each file is
    /// parsed by `SearchSpace.load` and checked against its submission's hyperparameters,
    /// so a name the submission does not know is an error naming the file and field,
    /// never a silently untuned value.
    public static func load(_ arguments: [String], submissions: [String]) throws -> [String: SearchSpace] {
        var spaces: [String: SearchSpace] = [:]
        for argument in arguments {
            let (name, path) = try split(argument, submissions: submissions)
            guard spaces[name] == nil else {
                throw InputError(source: "--search-space", field: nil, message: "gives submission \(PlainName.escaped(name)) more than one file")
            }
            let space = try SearchSpace.load(contentsOf: path)
            try check(space, source: path, against: SubmissionRegistry.submission(named: name))
            spaces[name] = space
        }
        return spaces
    }

    /// Throws unless every hyperparameter `space` names is one of `submission`'s.
    public static func check(_ space: SearchSpace, source: String, against submission: any Submission.Type) throws {
        let known = submission.defaultHyperparameters.values.keys.sorted()
        for name in space.names where !known.contains(name) {
            throw InputError(
                source: source, field: name,
                message: "is not a hyperparameter of submission \(submission.name) (it has: \(known.joined(separator: ", ")))")
        }
    }

    /// (submission, path) of one argument.
    static func split(_ argument: String, submissions: [String]) throws -> (String, String) {
        if let equals = argument.firstIndex(of: "=") {
            let name = String(argument[..<equals]), path = String(argument[argument.index(after: equals)...])
            guard submissions.contains(name) else {
                throw InputError(
                    source: "--search-space", field: nil,
                    message: "names submission \(PlainName.escaped(name)), which this run does not include (it runs: \(submissions.joined(separator: ", ")))")
            }
            guard !path.isEmpty else {
                throw InputError(source: "--search-space", field: nil, message: "needs a file after '\(name)=', got nothing")
            }
            return (name, path)
        }
        guard submissions.count == 1, let only = submissions.first else {
            throw InputError(
                source: "--search-space", field: nil,
                message: "a bare FILE needs exactly one submission; with \(submissions.count), write NAME=FILE (\(PlainName.escaped(argument)))")
        }
        return (only, argument)
    }
}
