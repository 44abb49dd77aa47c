// DataOverlap: test rows that also appear in the training data, exactly or within a stated distance (leakage that
// inflates a test score).
import Foundation

/// Test rows found in the training rows: exact duplicates (the same feature values) and near-duplicates (within
/// `nearDistance` in root-mean-square difference per feature, so the threshold reads in the data's own units
/// whatever the number of features).
public struct DataOverlap: Sendable, Hashable {
    /// A test row and the training row it matches.
    public struct Match: Sendable, Hashable {
        public let testRow: Int
        public let trainRow: Int
        /// Root-mean-square difference per feature (0 for an exact duplicate).
        public let distance: Double
        /// Whether the two rows carry different labels.
        public let labelsDiffer: Bool
    }

    public let nearDistance: Double
    /// Test rows whose features equal a training row's, each with the first such training row.
    public let exactDuplicates: [Match]
    /// Test rows that are not exact duplicates but lie within `nearDistance` of a training row (the nearest one).
    public let nearDuplicates: [Match]
    public let testRows: Int

    /// Compares every test row with every training row (flat, row-major, `featureCount` values per row).
    ///
    /// - Throws: `SecurityError` when the buffers do not hold whole rows or the distance is negative.
    public static func find(
        train: [Float], trainLabels: [Int], test: [Float], testLabels: [Int], featureCount: Int,
        nearDistance: Double, shouldStop: () -> Bool = { false }
    ) throws -> DataOverlap {
        guard featureCount > 0, train.count == trainLabels.count * featureCount,
            test.count == testLabels.count * featureCount
        else {
            throw SecurityError(
                .invalidArgument, "overlap",
                "expected \(trainLabels.count) and \(testLabels.count) rows of \(featureCount) features",
                argument: "data")
        }
        guard nearDistance >= 0, nearDistance.isFinite else {
            throw SecurityError(
                .invalidArgument, "overlap", "the distance must be a finite number ≥ 0, got \(nearDistance)",
                argument: "nearDuplicateDistance")
        }
        let d = featureCount
        var firstTrainRow: [[UInt32]: Int] = [:]
        for row in 0..<trainLabels.count {
            let key = train[(row * d)..<((row + 1) * d)].map { $0 == 0 ? 0 : $0.bitPattern }
            if firstTrainRow[key] == nil { firstTrainRow[key] = row }
        }
        var exact: [Match] = []
        var near: [Match] = []
        // Squared-sum bound for the near test: rms ≤ δ ⇔ Σ(Δ²) ≤ δ²·d.
        let bound = nearDistance * nearDistance * Double(d)
        for testRow in 0..<testLabels.count {
            if testRow % 64 == 0, shouldStop() { throw SecurityError(.cancelled, "overlap", "stopped") }
            let values = test[(testRow * d)..<((testRow + 1) * d)]
            if let trainRow = firstTrainRow[values.map { $0 == 0 ? 0 : $0.bitPattern }] {
                exact.append(
                    Match(
                        testRow: testRow, trainRow: trainRow, distance: 0,
                        labelsDiffer: trainLabels[trainRow] != testLabels[testRow]))
                continue
            }
            guard nearDistance > 0 else { continue }
            var best = (row: -1, sum: Double.infinity)
            test.withUnsafeBufferPointer { testBuffer in
                train.withUnsafeBufferPointer { trainBuffer in
                    let t = testBuffer.baseAddress! + testRow * d
                    for trainRow in 0..<trainLabels.count {
                        let r = trainBuffer.baseAddress! + trainRow * d
                        var sum = 0.0
                        var j = 0
                        while j < d {
                            let delta = Double(t[j]) - Double(r[j])
                            sum += delta * delta
                            if sum > bound || sum >= best.sum { break }
                            j += 1
                        }
                        if j == d, sum < best.sum { best = (trainRow, sum) }
                    }
                }
            }
            if best.row >= 0, best.sum <= bound {
                near.append(
                    Match(
                        testRow: testRow, trainRow: best.row, distance: (best.sum / Double(d)).squareRoot(),
                        labelsDiffer: trainLabels[best.row] != testLabels[testRow]))
            }
        }
        return DataOverlap(
            nearDistance: nearDistance, exactDuplicates: exact, nearDuplicates: near, testRows: testLabels.count)
    }

    public init(nearDistance: Double, exactDuplicates: [Match], nearDuplicates: [Match], testRows: Int) {
        self.nearDistance = nearDistance
        self.exactDuplicates = exactDuplicates
        self.nearDuplicates = nearDuplicates
        self.testRows = testRows
    }
}
