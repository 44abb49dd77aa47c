// PredictionWriter: the JSON answer of POST /v1/predict, written straight into a byte buffer.
import Foundation
import Hummingbird

/// Writes `{"predictions": [{"class": 3, "label": "3", "probabilities": […]}, …], "model": {"fingerprint", "version"}}`
/// for a batch of class probabilities. What does not change between requests (each label as a JSON string, the
/// model object) is encoded once by `JSONEncoder`; numbers are written as `Float.description` (the shortest text
/// that reads back to the same `Float`, which `JSONEncoder` writes too).
struct PredictionWriter: Sendable {
    /// Each class's label as a JSON string, quotes included.
    private let labels: [[UInt8]]
    /// `],"model":{…}}`: the end of every answer.
    private let tail: [UInt8]

    init(model: ServedModel) {
        self.init(labels: model.classes, fingerprint: model.fingerprint, version: model.version)
    }

    init(labels: [String], fingerprint: String, version: String) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        self.labels = labels.map { Array((try? encoder.encode($0)) ?? Data(#""""#.utf8)) }
        let object = ["fingerprint": fingerprint, "version": version]
        tail =
            Array("],\"model\":".utf8) + Array((try? encoder.encode(object)) ?? Data("{}".utf8)) + [UInt8(ascii: "}")]
    }

    /// The answer for `rows` (one probability per class each), or nil when one is not finite.
    func body(_ rows: [[Float]]) -> ByteBuffer? {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(64 + rows.count * (40 + 12 * labels.count) + tail.count)
        buffer.writeStaticString("{\"predictions\":[")
        for (index, row) in rows.enumerated() {
            guard row.count == labels.count, row.allSatisfy(\.isFinite) else { return nil }
            var best = 0
            for column in row.indices where row[column] > row[best] { best = column }
            if index > 0 { buffer.writeStaticString(",") }
            buffer.writeStaticString("{\"class\":")
            buffer.writeString(String(best))
            buffer.writeStaticString(",\"label\":")
            buffer.writeBytes(labels[best])
            buffer.writeStaticString(",\"probabilities\":[")
            for (column, probability) in row.enumerated() {
                if column > 0 { buffer.writeStaticString(",") }
                buffer.writeString(probability.description)
            }
            buffer.writeStaticString("]}")
        }
        buffer.writeBytes(tail)
        return buffer
    }
}
