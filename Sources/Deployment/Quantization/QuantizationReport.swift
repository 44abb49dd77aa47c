// QuantizationReport: size, accuracy and latency of a float model and its int8 version, as data and as a table.
import Foundation
import NeuralNetworks
import RichDisplay
import TensorCore

/// What quantization changed, measured: bytes, accuracy on a labelled set, and the median latency of a forward
/// pass at each batch size.
public struct QuantizationReport: Sendable {
    public struct Row: Sendable, Equatable {
        public let metric: String
        public let float32: Double
        public let int8: Double
        /// `int8 / float32`.
        public var ratio: Double { float32 == 0 ? .nan : int8 / float32 }
    }

    public let rows: [Row]

    /// Measures `float` and `quantized` on `test` (accuracy) and on its first rows (latency, median of
    /// `repetitions` timed passes after one warm-up, for each of `latencyBatchSizes`).
    public static func measure(
        float: any Layer, quantized: QuantizedModel, test: Dataset, latencyBatchSizes: [Int] = [1, 32],
        repetitions: Int = 20
    ) throws -> QuantizationReport {
        var rows = [
            Row(metric: "size (bytes)", float32: Double(quantized.floatByteCount), int8: Double(quantized.byteCount))
        ]
        let labels = test.labels
        func accuracy(_ model: any Layer) throws -> Double {
            let predicted = try model.predictClasses(test.features)
            return Double(zip(predicted, labels).count { $0 == $1 }) / Double(Swift.max(labels.count, 1))
        }
        rows.append(Row(metric: "accuracy", float32: try accuracy(float), int8: try accuracy(quantized)))
        for size in latencyBatchSizes where size <= test.count {
            let batch = try test.features.sliced(alongAxis: 0, from: 0, to: size)
            rows.append(
                Row(
                    metric: "latency batch \(size) (ms)",
                    float32: try medianMilliseconds(repetitions) { _ = try float(batch) },
                    int8: try medianMilliseconds(repetitions) { _ = try quantized(batch) }))
        }
        return QuantizationReport(rows: rows)
    }

    /// The median wall time of `body`, in milliseconds, after one untimed call.
    static func medianMilliseconds(_ repetitions: Int, _ body: () throws -> Void) throws -> Double {
        try noGrad { try body() }
        var times: [Double] = []
        for _ in 0..<Swift.max(repetitions, 1) {
            let start = DispatchTime.now().uptimeNanoseconds
            try noGrad { try body() }
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        return times.sorted()[times.count / 2]
    }

    /// The report as a RichDisplay table: metric, float32, int8, int8/float32.
    public var table: Table {
        Table(
            columns: ["metric", "float32", "int8", "int8 / float32"],
            rows: rows.map { [.text($0.metric), .number($0.float32), .number($0.int8), .number($0.ratio)] },
            title: "Post-training int8 quantization")
    }
}
