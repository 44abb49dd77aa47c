// ServedModel: a model file loaded for serving: replicas of the model, its input shape, classes and fingerprint.
import Crypto
import Deployment
import Foundation
import NeuralNetworks
import TensorCore

/// A model read from a `.safetensors` checkpoint written by Rigor (its architecture in the metadata) or from an
/// `.onnx` file (evaluated by ``ONNXGraphModel``, for the operators Rigor exports), with what `/metadata` reports
/// and what `/metrics` compares inputs against.
public struct ServedModel: Sendable {
    /// `safetensors` or `onnx`.
    public let format: String
    public let path: String
    /// One sample's shape (without the batch axis).
    public let inputShape: [Int]
    /// The class names, one per output.
    public let classes: [String]
    /// SHA-256 of the file, hex.
    public let fingerprint: String
    /// The model's version: the file's `rigor.version` metadata, or the first 12 hex digits of the fingerprint.
    public let version: String
    /// The layers (or ONNX operators), in order.
    public let layers: [String]
    /// The training data's feature summary, when the file has one (drift statistics need it).
    public let featureSummary: FeatureSummary?
    /// Builds an independent copy of the model (one per concurrent request).
    let makeReplica: @Sendable () throws -> any Layer

    /// Loads `path`; `inputShape` overrides (or supplies) the sample shape.
    public static func load(_ path: String, inputShape override: [Int]? = nil) throws -> ServedModel {
        let bytes = try FileAccess.contents(of: path)
        let fingerprint = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        let format: String
        let metadata: [String: String]
        var shape: [Int]?
        // The model as loaded serves as the probe below; replicas are built from what was read, not from the file
        // again (one read and decode per file, however many replicas).
        let probe: any Layer
        let makeReplica: @Sendable () throws -> any Layer
        var layers: [String]
        if path.hasSuffix(".onnx") {
            format = "onnx"
            let graph = try ONNXGraphModel(data: bytes)
            metadata = graph.metadata
            shape = graph.inputShape
            layers = graph.operators
            probe = graph
            makeReplica = { try ONNXGraphModel(data: bytes) }
        } else {
            format = "safetensors"
            let loaded = try ModelBuilder.load(checkpoint: path)
            metadata = loaded.metadata
            shape = loaded.architecture.inputShape ?? (loaded.model.layers.first as? Dense).map { [$0.inputSize] }
            layers = loaded.model.layers.map(\.kind)
            probe = loaded.model
            let (architecture, weights) = (loaded.architecture, loaded.weights)
            makeReplica = { try ModelBuilder.build(architecture, weights: weights, source: path) }
        }
        if let override { shape = override }
        guard let inputShape = shape, !inputShape.isEmpty, inputShape.allSatisfy({ $0 > 0 }) else {
            throw NeuralNetworkError("serve", "\(path) does not record its input shape; pass --input-shape")
        }
        // One forward pass tells the number of outputs (and checks that the shape fits the model).
        let output = try noGrad { try probe(Tensor.zeros([1] + inputShape)) }
        guard output.rank == 2 else {
            throw NeuralNetworkError(
                "serve", "the model's output is \(TensorError.format(shape: output.shape)); serving needs [N, classes]")
        }
        let classCount = output.shape[1]
        var classes = (0..<classCount).map(String.init)
        if let json = metadata["rigor.classes"],
            let names = try? JSONDecoder().decode([String].self, from: Data(json.utf8)),
            names.count == classCount
        {
            classes = names
        }
        let summary = try FeatureSummary(metadata: metadata)
        if let summary, summary.mean.count != inputShape.reduce(1, *) {
            throw NeuralNetworkError(
                "serve",
                "the feature summary has \(summary.mean.count) features; the input has \(inputShape.reduce(1, *))")
        }
        return ServedModel(
            format: format, path: path, inputShape: inputShape, classes: classes, fingerprint: fingerprint,
            version: metadata["rigor.version"] ?? String(fingerprint.prefix(12)), layers: layers,
            featureSummary: summary, makeReplica: makeReplica)
    }

    /// Scalars per sample.
    public var featureCount: Int { inputShape.reduce(1, *) }
}

/// Class probabilities from a model's outputs: the outputs themselves when each row already is a distribution
/// (a softmax layer), otherwise their softmax.
func probabilities(_ output: Tensor) throws -> [[Float]] {
    let rows = output.shape[0]
    let columns = output.shape[1]
    let values = output.scalars
    let isDistribution = (0..<rows).allSatisfy { row in
        let slice = values[(row * columns)..<((row + 1) * columns)]
        return slice.allSatisfy { $0 >= 0 && $0 <= 1 } && abs(slice.reduce(0, +) - 1) < 1e-4
    }
    let probabilities = isDistribution ? values : try output.softmax(alongAxis: 1).scalars
    return (0..<rows).map { Array(probabilities[($0 * columns)..<(($0 + 1) * columns)]) }
}
