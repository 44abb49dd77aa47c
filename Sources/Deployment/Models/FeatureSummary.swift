// FeatureSummary: per-feature statistics of the training inputs, stored with a model to measure input drift.
import Foundation
import TensorCore

/// The mean, standard deviation, minimum and maximum of every input feature (each sample flattened) over the
/// training data, stored in a checkpoint's or ONNX file's metadata under ``metadataKey`` so that a server can
/// compare what it receives with what the model learned from.
public struct FeatureSummary: Codable, Sendable, Equatable {
    public static let metadataKey = "rigor.features"
    /// Training samples summarized.
    public var count: Int
    public var mean: [Double]
    public var standardDeviation: [Double]
    public var minimum: [Double]
    public var maximum: [Double]

    /// Summarizes `features` `[N, …]` (population standard deviation, one entry per flattened feature).
    public init(features: Tensor) throws {
        guard features.rank >= 1, features.shape[0] > 0 else {
            throw TensorError("FeatureSummary", shapes: [features.shape], "needs at least one sample")
        }
        let n = features.shape[0]
        let width = features.scalarCount / n
        var sum = [Double](repeating: 0, count: width)
        var squares = [Double](repeating: 0, count: width)
        var low = [Double](repeating: .infinity, count: width)
        var high = [Double](repeating: -.infinity, count: width)
        features.withUnsafeBufferPointer { values in
            for row in 0..<n {
                for column in 0..<width {
                    let value = Double(values[row * width + column])
                    sum[column] += value
                    squares[column] += value * value
                    low[column] = Swift.min(low[column], value)
                    high[column] = Swift.max(high[column], value)
                }
            }
        }
        count = n
        mean = sum.map { $0 / Double(n) }
        standardDeviation = zip(squares, mean).map { Swift.max($0 / Double(n) - $1 * $1, 0).squareRoot() }
        minimum = low
        maximum = high
    }

    /// The summary as one metadata entry (JSON).
    public var metadata: [String: String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = (try? encoder.encode(self)).flatMap { String(data: $0, encoding: .utf8) } ?? "{}"
        return [Self.metadataKey: json]
    }

    /// The summary stored in `metadata`, or nil when there is none.
    public init?(metadata: [String: String]) throws {
        guard let json = metadata[Self.metadataKey] else { return nil }
        self = try JSONDecoder().decode(FeatureSummary.self, from: Data(json.utf8))
    }
}
