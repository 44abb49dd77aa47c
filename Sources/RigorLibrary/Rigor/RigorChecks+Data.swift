// RigorChecks+Data: the data checks — rows a split's training part shares with its validation or test part (the
// same source row, an exact copy, or a near copy), and a scaler fitted on rows outside the training split.
import Foundation
import NeuralNetworks
import RigorScript
import TensorCore

/// How many rows of an evaluation part were also in training, by kind (each row counted once, first kind wins).
struct SharedRows: Equatable {
    /// Rows made from the same source row as a training row (augmented before splitting).
    var sameSource = 0
    /// Rows whose features equal a training row's exactly.
    var exact = 0
    /// Rows within the near-duplicate distance of a training row.
    var near = 0
    /// Rows of the evaluation part compared for near copies (all of them unless the part is large).
    var nearChecked = 0
    var total: Int { sameSource + exact + near }

    /// Two rows are near copies when the root-mean-square difference of their features, each feature in units of
    /// the training part's standard deviation, is at most this.
    static let nearDistance: Float = 0.01
    /// The near check compares at most this many pairs of rows (a sample of the evaluation part beyond it).
    static let pairBudget = 4_000_000
    /// A part is warned about when this many of its rows are shared, or this fraction of them, whichever is more:
    /// a few equal rows happen in coarse measurements (iris repeats 6 of its 150 flowers at 0.1 cm).
    static let minimumRows = 3
    static let minimumFraction = 0.02

    /// Whether `total` shared rows of `count` are worth a warning.
    static func matters(_ total: Int, of count: Int) -> Bool {
        total > 0 && total >= max(minimumRows, Int((minimumFraction * Double(count)).rounded(.up)))
    }

    /// Compares every row of `other` with the rows of `train`: same source row (lineage), exact copy (hashing,
    /// linear), near copy (one matrix product; at most `pairBudget` pairs, a sample of `other` beyond it).
    static func between(_ train: DatasetObject, _ other: DatasetObject) -> SharedRows {
        var result = SharedRows()
        let width = train.featureShape.reduce(1, *)
        guard width == other.featureShape.reduce(1, *), width > 0, train.data.count > 0, other.data.count > 0 else {
            return result
        }
        var counted = [Bool](repeating: false, count: other.data.count)
        if train.lineage.source === other.lineage.source {
            let trainRows = Set(train.lineage.rows)
            for (index, row) in other.lineage.rows.enumerated() where trainRows.contains(row) {
                counted[index] = true
                result.sameSource += 1
            }
        }
        let a = train.data.features.scalars
        let b = other.data.features.scalars
        func hash(_ values: ArraySlice<Float>) -> Int {
            var hasher = Hasher()
            for value in values { hasher.combine(value == 0 ? 0 : value.bitPattern) }
            return hasher.finalize()
        }
        var buckets: [Int: [Int]] = [:]
        for row in 0..<train.data.count {
            buckets[hash(a[row * width..<(row + 1) * width]), default: []].append(row)
        }
        for row in 0..<other.data.count where !counted[row] {
            let values = b[row * width..<(row + 1) * width]
            if let candidates = buckets[hash(values)],
                candidates.contains(where: { a[$0 * width..<($0 + 1) * width].elementsEqual(values) })
            {
                counted[row] = true
                result.exact += 1
            }
        }
        // Near copies: squared distances |x|² + |y|² − 2 x·y of the rows scaled by the training deviations.
        let trainCount = min(train.data.count, pairBudget)
        let otherCount = min(other.data.count, max(1, pairBudget / trainCount))
        result.nearChecked = otherCount
        var mean = [Double](repeating: 0, count: width)
        var square = [Double](repeating: 0, count: width)
        for row in 0..<trainCount {
            for column in 0..<width {
                let value = Double(a[row * width + column])
                mean[column] += value
                square[column] += value * value
            }
        }
        let scale: [Float] = (0..<width).map { column in
            let m = mean[column] / Double(trainCount)
            let variance = max(0, square[column] / Double(trainCount) - m * m)
            return variance > 1e-12 ? Float(1 / variance.squareRoot()) : 1
        }
        func scaled(_ values: [Float], rows: Int) -> [Float] {
            var out = [Float](repeating: 0, count: rows * width)
            for index in out.indices { out[index] = values[index] * scale[index % width] }
            return out
        }
        let x = scaled(a, rows: trainCount)
        let y = scaled(b, rows: otherCount)
        guard let left = try? Tensor(shape: [otherCount, width], scalars: y),
            let right = try? Tensor(shape: [trainCount, width], scalars: x),
            let products = try? left.matmul(right.transposed())
        else { return result }
        func norms(_ values: [Float], rows: Int) -> [Float] {
            (0..<rows).map { row in values[row * width..<(row + 1) * width].reduce(0) { $0 + $1 * $1 } }
        }
        let xNorms = norms(x, rows: trainCount)
        let yNorms = norms(y, rows: otherCount)
        let limit = nearDistance * nearDistance * Float(width)
        products.withUnsafeBufferPointer { dots in
            for row in 0..<otherCount where !counted[row] {
                for column in 0..<trainCount {
                    let distance = yNorms[row] + xNorms[column] - 2 * dots[row * trainCount + column]
                    if distance <= limit {
                        counted[row] = true
                        result.near += 1
                        break
                    }
                }
            }
        }
        return result
    }
}

extension RigorChecks {
    /// At `split`: warns when the training part shares enough rows with the validation or the test part.
    static func checkSharedRows(_ split: SplitObject, in context: CallContext) {
        let checks = of(context)
        guard checks.isEnabled(.sharedRows) else { return }
        for (name, part) in [("validation", split.validation), ("test", split.test)] {
            guard let part else { continue }
            let shared = SharedRows.between(split.train, part)
            guard SharedRows.matters(shared.total, of: part.data.count) else { continue }
            var details: [String] = []
            if shared.sameSource > 0 {
                details.append(
                    "\(shared.sameSource) are copies of the same source rows as training rows (augmented or "
                        + "repeated before the split)")
            }
            if shared.exact > 0 { details.append("\(shared.exact) have exactly the features of a training row") }
            if shared.near > 0 {
                details.append(
                    "\(shared.near) are within \(format(Double(SharedRows.nearDistance))) standard deviations "
                        + "(root mean square over the features) of a training row")
            }
            if shared.nearChecked < part.data.count {
                details.append("near copies were looked for in the first \(shared.nearChecked) rows only")
            }
            let percent = format(100 * Double(shared.total) / Double(part.data.count), digits: 1)
            checks.warn(
                RigorWarning(
                    check: .sharedRows,
                    summary: "\(shared.total) of the \(part.data.count) \(name) rows (\(percent) %) are also in the "
                        + "training part, so the \(name) score partly measures memory",
                    details: details,
                    advice: "split first and augment only the training part; drop duplicate rows before splitting; "
                        + "or, if equal rows are genuinely different examples, rigorCheck(.sharedRows, enabled: false)",
                    cause: "split \(name)"), in: context)
        }
    }

    /// At `fit` (training and validation data) and at a final score: warns when a dataset's features were
    /// standardized with statistics of rows outside `training`.
    static func scalingLeak(_ data: DatasetObject, role: String, training: DatasetObject) -> RigorWarning? {
        guard let fitted = data.scaledWith, fitted.source === training.lineage.source else { return nil }
        let trainRows = Set(training.lineage.rows)
        let outside = Set(fitted.rows).subtracting(trainRows)
        guard !outside.isEmpty else { return nil }
        let fittedCount = Set(fitted.rows).count
        return RigorWarning(
            check: .preprocessingLeak,
            summary: "the \(role) data was standardized with statistics of \(fittedCount) rows, \(outside.count) of "
                + "which are not training rows: what the model will be scored on leaked into its inputs",
            details: [
                "a scaler's mean and standard deviation must come from the training rows only "
                    + "(\(trainRows.count) here)"
            ],
            advice: "split first, then standardize the split: data.split(…).standardized(), or "
                + "test.standardized(using: train)",
            cause: "scaling")
    }
}
