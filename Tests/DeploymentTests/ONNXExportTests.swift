import Foundation
import NeuralNetworks
import TensorCore
import Testing

@testable import Deployment

/// Every exported layer kind, loaded in ONNX Runtime: its outputs must match ours within 1e-4. `NN_TEST_PYTHON`
/// (the test venv's Python under `make test`) must have onnxruntime and safetensors; without them the test fails.
@Suite(.serialized) struct ONNXExportTests {
    static let python = ProcessInfo.processInfo.environment["NN_TEST_PYTHON"] ?? "python3"

    /// Loads the model in ONNX Runtime (one thread), feeds the input and prints the largest difference.
    static let script = """
        import sys
        try:
            import numpy as np, onnxruntime as ort
            from safetensors.numpy import load_file
        except ImportError as error:
            sys.exit("missing %s: run `make venv` (it installs onnxruntime into .venv)" % error)
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        session = ort.InferenceSession(sys.argv[1], options, providers=["CPUExecutionProvider"])
        tensors = load_file(sys.argv[2])
        (result,) = session.run(["output"], {"input": tensors["input"]})
        assert result.shape == tensors["output"].shape, (result.shape, tensors["output"].shape)
        print("%.3g" % float(np.abs(result - tensors["output"]).max()))
        """

    func roundTrip(_ kind: String, _ model: any Layer, _ input: Tensor) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rigor-onnx-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let modelPath = folder.appendingPathComponent("\(kind).onnx").path
        let tensorsPath = folder.appendingPathComponent("\(kind).safetensors").path
        try ONNXExporter.export(
            model, inputShape: Array(input.shape.dropFirst()), to: modelPath, metadata: ["kind": kind])
        try Checkpoint.write([("input", input), ("output", try model(input))], to: tensorsPath)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [Self.python, "-c", Self.script, modelPath, tensorsPath]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let text = String(data: output.fileHandleForReading.readDataToEndOfFile(), encoding: .utf8) ?? ""
        let problem = String(data: errors.fileHandleForReading.readDataToEndOfFile(), encoding: .utf8) ?? ""
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(kind): \(Self.python) failed: \(problem)")
        let difference = Double(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? .infinity
        #expect(difference < 1e-4, "\(kind): largest difference from ONNX Runtime \(text) \(problem)")
    }

    func normal(_ shape: [Int], seed: UInt64) throws -> Tensor {
        var generator = RandomGenerator(seed: seed)
        return try Tensor.normal(shape, using: &generator)
    }

    @Test func denseAndEveryActivation() throws {
        var layers: [any Layer] = [try Dense(5, 8, activation: .relu), try Dense(8, 8, activation: .tanh)]
        for function in ActivationFunction.allCases { layers.append(Activation(function)) }
        layers += [try Dense(8, 6, activation: .sigmoid), try Dense(6, 4, activation: .gelu), try Dense(4, 3)]
        try roundTrip("dense", try Sequential(layers, seed: 1), try normal([4, 5], seed: 2))
        try roundTrip(
            "dense-rank3",
            try Sequential([Dense(5, 3, activation: .leakyRelu), Dense(3, 2, activation: .elu)], seed: 3),
            try normal([2, 4, 5], seed: 4))
    }

    @Test func convolutionPoolingBatchNormDropoutFlatten() throws {
        let norm = try BatchNorm(4)
        try norm.runningMean.assign([0.1, -0.2, 0.3, 0])
        try norm.runningVariance.assign([1, 2, 0.5, 1.5])
        try norm.weight.assign([1, 0.5, 2, -1])
        try norm.bias.assign([0, 0.1, -0.1, 0.2])
        let model = try Sequential(
            [
                Conv2D(2, 4, kernelSize: 3, padding: 1, activation: .relu), norm, MaxPool2D(2),
                Conv2D(4, 3, kernelSize: (3, 2), stride: (2, 1), padding: (1, 0)), AvgPool2D(2, stride: 1, padding: 1),
                Dropout(0.5), Flatten(), Dense(3 * 3 * 4, 5), BatchNorm(5),
            ], seed: 5)
        try roundTrip("conv", model, try normal([3, 2, 8, 8], seed: 6))
        try roundTrip(
            "global-pool", try Sequential([Conv2D(2, 3, kernelSize: 3), GlobalAvgPool(), Dense(3, 2)], seed: 7),
            try normal([2, 2, 6, 6], seed: 8))
    }

    @Test func recurrentLayers() throws {
        let ids = try Tensor(shape: [3, 5], scalars: [1, 2, 3, 9, 0, 0, 0, 5, 7, 1, 4, 4, 4, 4, 8])
        try roundTrip(
            "lstm",
            try Sequential(
                [Embedding(10, 6), LSTM(6, 5, returnSequences: true, bidirectional: true), LSTM(10, 4), Dense(4, 2)],
                seed: 9), ids)
        let sequence = try normal([2, 6, 3], seed: 10)
        try roundTrip(
            "gru", try Sequential([GRU(3, 4, returnSequences: true), GRU(4, 3, bidirectional: true)], seed: 11),
            sequence)
        try roundTrip(
            "rnn",
            try Sequential([SimpleRNN(3, 4, returnSequences: true, bidirectional: true), SimpleRNN(8, 2)], seed: 12),
            sequence)
    }

    @Test func attentionEmbeddingsAndTransformer() throws {
        let ids = try Tensor(shape: [2, 6], scalars: [1, 2, 3, 4, 5, 6, 7, 0, 7, 0, 3, 3])
        try roundTrip(
            "attention",
            try Sequential(
                [
                    Embedding(8, 8), PositionalEmbedding(maximumLength: 10, dimension: 8),
                    MultiHeadAttention(dimension: 8, headCount: 2), LayerNorm(8),
                    MultiHeadAttention(dimension: 8, headCount: 4, causal: true), Dense(8, 3),
                ], seed: 13), ids)
        try roundTrip(
            "transformer",
            try Sequential(
                [
                    SinusoidalPositionalEncoding(maximumLength: 16, dimension: 8),
                    TransformerEncoderLayer(dimension: 8, headCount: 2, feedForwardSize: 16),
                    TransformerEncoderLayer(
                        dimension: 8, headCount: 2, feedForwardSize: 12, normFirst: true, causal: true),
                ], seed: 14), try normal([2, 5, 8], seed: 15))
    }

    @Test func theFileCarriesOpsetMetadataAndAnUnknownLayerIsAnError() throws {
        let data = try ONNXExporter.serialize(try Dense(3, 2), inputShape: [3], metadata: ["rigor.classes": "a,b"])
        let proto = try Onnx_ModelProto(serializedBytes: data)
        #expect(proto.opsetImport.first?.version == 17)
        #expect(proto.graph.input.first?.type.tensorType.shape.dim.first?.dimParam == "N")
        #expect(proto.metadataProps.first { $0.key == "rigor.classes" }?.value == "a,b")
        final class Custom: Layer {
            func forward(_ input: Tensor, context: LayerContext) throws -> Tensor { input }
        }
        #expect(throws: NeuralNetworkError.self) { try ONNXExporter.serialize(Custom(), inputShape: [3]) }
    }
}
