// DataLineage: where a dataset's rows come from, so the checks can tell a split's parts apart and see which rows a
// scaler was fitted on. Rows are identified by their index in the dataset they were loaded as (bundled, CSV, files,
// `Dataset(features:labels:)`); `split`, `shuffled`, `augmented`, `reshaped` and `standardized` carry it, and any
// other way of making a dataset starts a new source (its provenance unknown: the checks then say nothing).
import NeuralNetworks
import RigorScript

/// A dataset as loaded: the identity its rows' indices refer to.
final class DataSource {}

/// The rows of a dataset, as indices into their source.
struct DataLineage {
    let source: DataSource
    /// One source row per row, in order (a row augmented twice appears three times).
    let rows: [Int]

    /// A new source of `count` rows.
    init(count: Int) {
        source = DataSource()
        rows = Array(0..<count)
    }

    init(source: DataSource, rows: [Int]) {
        self.source = source
        self.rows = rows
    }

    /// The rows at `indices` of this lineage.
    func picking(_ indices: [Int]) -> DataLineage {
        DataLineage(source: source, rows: indices.map { rows[$0] })
    }
}

/// Which part of a split a dataset is.
enum SplitRole: String, Sendable {
    case train, validation, test
}

extension DatasetObject {
    /// `data`, the rows `indices` of this dataset in order (nil: the same rows), keeping this dataset's provenance:
    /// its split role, the rows its scaler was fitted on, and its source rows.
    func derived(_ data: NeuralNetworks.Dataset, rows indices: [Int]? = nil) -> DatasetObject {
        let object = with(data)
        object.role = role
        object.scaledWith = scaledWith
        object.lineage = indices.map { lineage.picking($0) } ?? lineage
        return object
    }
}
