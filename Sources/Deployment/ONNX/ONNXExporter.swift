// ONNXExporter: a Sequential model (or one layer) as an ONNX model file, opset 17.
import Foundation
import NeuralNetworks
import SwiftProtobuf
import TensorCore

/// Writes a model as an ONNX graph (IR version 8, default-domain opset ``opsetVersion``) that ONNX Runtime runs
/// with our outputs (the tests require agreement within 1e-4 for every layer kind below).
///
/// | layer | ONNX nodes |
/// |---|---|
/// | `Dense` | `MatMul` (weight transposed once) + `Add`, then the activation |
/// | `Conv2D` | `Conv` (`pads`, `strides`), then the activation |
/// | `MaxPool2D`, `AvgPool2D` | `MaxPool`, `AveragePool` (`count_include_pad = 1`, as ours) |
/// | `GlobalAvgPool`, `Flatten` | `GlobalAveragePool` + `Flatten`, `Flatten` (axis 1) |
/// | `Dropout` | `Identity` (inference) |
/// | `BatchNorm`, `LayerNorm` | `BatchNormalization` (running statistics), `LayerNormalization` (axis −1) |
/// | `Activation` | `Relu`, `Sigmoid`, `Tanh`, `LeakyRelu`, `Elu`, `Softplus`, `Softmax` (axis −1); GELU as `Erf` |
/// | `Embedding` | `Cast` to int64 + `Gather` |
/// | `PositionalEmbedding`, `SinusoidalPositionalEncoding` | `Add` of the first `T` rows |
/// | `LSTM`, `GRU`, `SimpleRNN` | `LSTM` (gates reordered i, o, f, c), `GRU` (z, r, h; `linear_before_reset = 1`), `RNN`, time-major between two `Transpose`s |
/// | `MultiHeadAttention` | `MatMul`/`Add` projections, `Split`, `Reshape`/`Transpose` into heads, scaled `MatMul`, `Softmax`, causal mask as an `Add` |
/// | `TransformerEncoderLayer` | the attention above, `LayerNormalization`s and the feed-forward `MatMul`s (post- or pre-norm) |
///
/// The input is `input` `[N, inputShape…]` with a symbolic batch `N`; the output is `output`. Shapes along other
/// axes are fixed by `inputShape` (a sequence model is exported for one length `T`).
public enum ONNXExporter {
    /// The default-domain operator set the graph uses (LayerNormalization needs 17).
    public static let opsetVersion = 17
    /// ONNX IR version 8 (ONNX 1.10 and later read it).
    public static let irVersion = 8

    /// Writes `model` as ONNX to `path` (atomically, as checkpoints are; a failure is a `FileAccessError` with the
    /// reason); `metadata` goes into the model's `metadata_props`.
    public static func export(
        _ model: any Layer, inputShape: [Int], to path: String, metadata: [String: String] = [:]
    ) throws {
        let data = try serialize(model, inputShape: inputShape, metadata: metadata)
        try FileAccess.writeAtomically(data, to: path)
    }

    /// The ONNX model's bytes (protobuf).
    public static func serialize(
        _ model: any Layer, inputShape: [Int], metadata: [String: String] = [:]
    ) throws -> Data {
        try modelProto(model, inputShape: inputShape, metadata: metadata).serializedBytes()
    }

    static func modelProto(
        _ model: any Layer, inputShape: [Int], metadata: [String: String]
    ) throws -> Onnx_ModelProto {
        var builder = ONNXGraphBuilder()
        var current = "input"
        var shape = [1] + inputShape
        try noGrad {
            var sample = try Tensor.zeros(shape)
            for (name, layer) in QuantizedModel.flatten(model) {
                current = try emit(layer, name: name, input: current, shape: shape, into: &builder)
                sample = try layer.forward(sample, context: .evaluation)
                shape = sample.shape
            }
        }
        if builder.nodes.isEmpty { current = builder.apply("Identity", [current]) }
        builder.renameLastOutput(to: "output")
        var graph = Onnx_GraphProto()
        graph.name = "rigor"
        graph.node = builder.nodes
        graph.initializer = builder.initializers
        graph.input = [valueInfo("input", ["N"] + inputShape.map(String.init))]
        graph.output = [valueInfo("output", ["N"] + shape.dropFirst().map(String.init))]
        var proto = Onnx_ModelProto()
        proto.irVersion = Int64(irVersion)
        proto.producerName = "Rigor"
        proto.producerVersion = "1"
        var opset = Onnx_OperatorSetIdProto()
        opset.domain = ""
        opset.version = Int64(opsetVersion)
        proto.opsetImport = [opset]
        proto.graph = graph
        proto.metadataProps = metadata.sorted { $0.key < $1.key }.map { key, value in
            var entry = Onnx_StringStringEntryProto()
            entry.key = key
            entry.value = value
            return entry
        }
        return proto
    }

    /// A float tensor's value info; each dimension a number or a symbolic name.
    static func valueInfo(_ name: String, _ dimensions: [String]) -> Onnx_ValueInfoProto {
        var tensorType = Onnx_TypeProto.Tensor()
        tensorType.elemType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        var shape = Onnx_TensorShapeProto()
        shape.dim = dimensions.map { text in
            var dimension = Onnx_TensorShapeProto.Dimension()
            if let value = Int64(text) { dimension.dimValue = value } else { dimension.dimParam = text }
            return dimension
        }
        tensorType.shape = shape
        var type = Onnx_TypeProto()
        type.tensorType = tensorType
        var info = Onnx_ValueInfoProto()
        info.name = name
        info.type = type
        return info
    }

    /// Emits the nodes of one layer reading `input` of `shape` (batch 1 stands for N); returns its output name.
    static func emit(
        _ layer: any Layer, name: String, input: String, shape: [Int], into graph: inout ONNXGraphBuilder
    ) throws -> String {
        switch layer {
        case let dense as Dense:
            return try activation(dense.activation, linear(dense, input, into: &graph), into: &graph)
        case let conv as Conv2D:
            var inputs = [input, graph.constant("conv_weight", conv.weight.value)]
            if let bias = conv.bias { inputs.append(graph.constant("conv_bias", bias.value)) }
            let output = graph.apply(
                "Conv", inputs,
                [
                    ONNXAttribute.ints("kernel_shape", [conv.kernelSize.0, conv.kernelSize.1]),
                    ONNXAttribute.ints("strides", [conv.stride.0, conv.stride.1]),
                    ONNXAttribute.ints("pads", [conv.padding.0, conv.padding.1, conv.padding.0, conv.padding.1]),
                ])
            return try activation(conv.activation, output, into: &graph)
        case let pool as Pool2D:
            var attributes = [
                ONNXAttribute.ints("kernel_shape", [pool.kernel, pool.kernel]),
                ONNXAttribute.ints("strides", [pool.stride, pool.stride]),
                ONNXAttribute.ints("pads", [pool.padding, pool.padding, pool.padding, pool.padding]),
            ]
            if pool is MaxPool2D { return graph.apply("MaxPool", [input], attributes) }
            attributes.append(ONNXAttribute.int("count_include_pad", 1))
            return graph.apply("AveragePool", [input], attributes)
        case is GlobalAvgPool:
            let pooled = graph.apply("GlobalAveragePool", [input])
            return graph.apply("Flatten", [pooled], [ONNXAttribute.int("axis", 1)])
        case is Flatten:
            return graph.apply("Flatten", [input], [ONNXAttribute.int("axis", 1)])
        case is Dropout:
            return graph.apply("Identity", [input])
        case let norm as BatchNorm:
            let inputs = [
                input, graph.constant("bn_scale", norm.weight.value), graph.constant("bn_bias", norm.bias.value),
                graph.constant("bn_mean", norm.runningMean.value),
                graph.constant("bn_var", norm.runningVariance.value),
            ]
            return graph.apply("BatchNormalization", inputs, [ONNXAttribute.float("epsilon", norm.epsilon)])
        case let norm as LayerNorm:
            return layerNorm(norm, input, into: &graph)
        case let wrapped as NeuralNetworks.Activation:
            return try activation(wrapped.function, input, into: &graph)
        case let embedding as Embedding:
            let ids = graph.apply(
                "Cast", [graph.apply("Round", [input])],
                [ONNXAttribute.int("to", Onnx_TensorProto.DataType.int64.rawValue)])
            return graph.apply(
                "Gather", [graph.constant("embedding", embedding.weight.value), ids], [ONNXAttribute.int("axis", 0)])
        case let positions as PositionalEmbedding:
            let rows = try positions.weight.value.sliced(alongAxis: 0, from: 0, to: shape[1])
            return graph.apply("Add", [input, graph.constant("positions", rows)])
        case is SinusoidalPositionalEncoding:
            // The layer adds its table: applied to zeros, it gives the rows an input of this length receives.
            let rows = try layer.forward(Tensor.zeros([1] + shape.dropFirst()), context: .evaluation)
            return graph.apply(
                "Add", [input, graph.constant("positions", try rows.reshaped(to: Array(shape.dropFirst())))])
        case let recurrent as RecurrentLayer:
            return try recurrentNodes(recurrent, input, into: &graph)
        case let attention as MultiHeadAttention:
            return try attentionNodes(attention, input, length: shape[1], into: &graph)
        case let encoder as TransformerEncoderLayer:
            return try encoderNodes(encoder, input, length: shape[1], into: &graph)
        default:
            throw NeuralNetworkError("ONNX export", "layer \(name) (\(layer.kind)) has no ONNX form yet")
        }
    }

    /// `x·Wᵀ + b` as MatMul with the transposed weight (any leading axes) and Add.
    static func linear(_ dense: Dense, _ input: String, into graph: inout ONNXGraphBuilder) throws -> String {
        let transposed = try dense.weight.value.transposed(0, 1)
        let product = graph.apply("MatMul", [input, graph.constant("dense_weight_t", transposed)])
        guard let bias = dense.bias else { return product }
        return graph.apply("Add", [product, graph.constant("dense_bias", bias.value)])
    }

    static func layerNorm(_ norm: LayerNorm, _ input: String, into graph: inout ONNXGraphBuilder) -> String {
        graph.apply(
            "LayerNormalization",
            [input, graph.constant("ln_scale", norm.weight.value), graph.constant("ln_bias", norm.bias.value)],
            [ONNXAttribute.int("axis", -1), ONNXAttribute.float("epsilon", norm.epsilon)])
    }

    static func activation(
        _ function: ActivationFunction, _ input: String, into graph: inout ONNXGraphBuilder
    ) throws -> String {
        switch function {
        case .identity: return input
        case .relu: return graph.apply("Relu", [input])
        case .sigmoid: return graph.apply("Sigmoid", [input])
        case .tanh: return graph.apply("Tanh", [input])
        case .leakyRelu: return graph.apply("LeakyRelu", [input], [ONNXAttribute.float("alpha", 0.01)])
        case .elu: return graph.apply("Elu", [input], [ONNXAttribute.float("alpha", 1)])
        case .softplus: return graph.apply("Softplus", [input])
        case .softmax: return graph.apply("Softmax", [input], [ONNXAttribute.int("axis", -1)])
        case .gelu:
            // Exact GELU, x·(1 + erf(x/√2))/2 (opset 17 has no Gelu; 20 does).
            let scaled = graph.apply(
                "Mul", [input, graph.constant("inv_sqrt2", shape: [], floats: [Float(0.5).squareRoot()])])
            let erf = graph.apply("Erf", [scaled])
            let onePlus = graph.apply("Add", [erf, graph.constant("one", shape: [], floats: [1])])
            let half = graph.apply("Mul", [input, graph.constant("half", shape: [], floats: [0.5])])
            return graph.apply("Mul", [half, onePlus])
        }
    }
}
