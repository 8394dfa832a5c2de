import Core
import Results
import Foundation

/// The evaluation rows of AlgoPerf trials, from either of the files AlgoPerf writes them
/// to: a trial's `eval_measurements.csv`, or the `Metrics:` lines of a workload's `.log`
/// (one per tuning run, after its `--- Tuning run i/n ---` line). A row maps column
/// names (`score`, `global_step`, `validation/loss`, ...) to numbers, in file order.
enum AlgoPerfMeasurements {
    typealias Row = [String: Double]

    /// The rows of an `eval_measurements.csv`: a header of column names, then one line of
    /// numbers per evaluation (empty cells and `nan` are NaN, as pandas reads them).
    static func csv(at path: String) throws -> [Row] {
        let text = String(decoding: try FileAccess.contents(of: path), as: UTF8.self)
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let header = lines.first, !header.isEmpty else {
            throw InputError(source: path, field: nil, message: "is empty; expected a header line of column names")
        }
        let names = header.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard Set(names).count == names.count else {
            throw InputError(source: path, field: "line 1", message: "repeats a column name")
        }
        var rows: [Row] = []
        for (number, line) in lines.enumerated().dropFirst() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            guard cells.count == names.count else {
                throw InputError(source: path, field: "line \(number + 1)", message: "has \(cells.count) cells, expected \(names.count) (one per column)")
            }
            var row: Row = [:]
            for (name, cell) in zip(names, cells) {
                let text = cell.trimmingCharacters(in: .whitespaces)
                if text.isEmpty || text.lowercased() == "nan" {
                    row[name] = .nan
                } else if let value = Double(text) {
                    row[name] = value
                }
                // Cells that are not numbers (none in AlgoPerf's files) are left out of the row.
            }
            rows.append(row)
        }
        return rows
    }

    /// The rows of each tuning run in a `.log`, by its 1-based run number (a `Metrics:`
    /// line before any `Tuning run` line belongs to run 0). A later `Metrics:` line for
    /// the same run replaces an earlier one, as in AlgoPerf's `get_trials_dict`.
    static func log(at path: String) throws -> [Int: [Row]] {
        let text = String(decoding: try FileAccess.contents(of: path), as: UTF8.self)
        var run = 0
        var runs: [Int: [Row]] = [:]
        for (number, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            if let range = line.range(of: " --- Tuning run "), let slash = line[range.upperBound...].firstIndex(of: "/") {
                let digits = line[range.upperBound..<slash]
                guard let value = Int(digits), (0...ResultsLayout.maximumIndex).contains(value) else {
                    throw InputError(source: path, field: "line \(number + 1)", message: "names tuning run '\(digits)', expected a number in 0...\(ResultsLayout.maximumIndex)")
                }
                run = value
            } else if let range = line.range(of: " Metrics: {") {
                let body = line[line.index(before: range.upperBound)...]
                do {
                    runs[run] = try rows(of: PythonLiteral.parse(body))
                } catch let failure as PythonLiteral.Failure {
                    throw InputError(source: path, field: "line \(number + 1)", message: "is not a Metrics line AlgoPerf writes: \(failure.message)")
                } catch let failure as RowFailure {
                    throw InputError(source: path, field: "line \(number + 1)", message: failure.message)
                }
            }
        }
        return runs
    }

    struct RowFailure: Error {
        let message: String
    }

    /// The evaluation dicts of a Metrics value: `{'eval_results': [(step, {...}), ...], ...}`.
    static func rows(of metrics: PythonLiteral) throws -> [Row] {
        guard case .dict(let entries) = metrics, let results = entries.first(where: { $0.key == "eval_results" })?.value,
              case .list(let items) = results
        else { throw RowFailure(message: "has no 'eval_results' list") }
        var rows: [Row] = []
        for item in items {
            let dicts: [PythonLiteral]
            if case .list(let parts) = item { dicts = parts } else { dicts = [item] }
            for case .dict(let fields) in dicts {
                var row: Row = [:]
                for (key, value) in fields { if case .number(let x) = value { row[key] = x } }
                rows.append(row)
            }
        }
        return rows
    }
}
