import NN

/// How a tensor's coordinates are grouped into subsets that share one adaptive step size
/// (the subset-norm of Nguyen et al., used by `SubsetNormAdamW` and `SubspaceMomentum`).
///
/// `heuristic`: the reference code's default for a matrix (`matrixShape` rows × columns):
/// each row is a subset when rows ≥ columns, else each column, so the state keeps the
/// larger dimension. `chunks(k)`: contiguous runs of k coordinates of the flat tensor,
/// k the largest divisor of the size not above the requested one (the reference's
/// `closest_smaller_divisor_of_n_to_k`).
struct SubsetPartition: Equatable, Sendable {
    enum Form: Equatable, Sendable {
        case rows(count: Int, length: Int)
        case columns(rows: Int, columns: Int)
        case chunks(length: Int)
    }

    let form: Form
    let elementCount: Int

    /// Requested subset size 0 means the heuristic.
    init(view: ParameterView, requestedSize: Int) {
        elementCount = view.count
        if requestedSize > 0 {
            var k = min(requestedSize, view.count)
            while view.count % k != 0 { k -= 1 }
            form = .chunks(length: k)
        } else {
            let (rows, columns) = view.matrixShape
            form = rows >= columns ? .rows(count: rows, length: columns) : .columns(rows: rows, columns: columns)
        }
    }

    /// Number of subsets (the size of the second-moment state).
    var count: Int {
        switch form {
        case .rows(let count, _): count
        case .columns(_, let columns): columns
        case .chunks(let length): elementCount / length
        }
    }

    /// The subset holding flat coordinate `index` (0-based within the tensor).
    @inline(__always)
    func subset(of index: Int) -> Int {
        switch form {
        case .rows(_, let length): index / length
        case .columns(_, let columns): index % columns
        case .chunks(let length): index / length
        }
    }
}
