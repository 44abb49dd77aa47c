// ONNXGraphModel: evaluates an ONNX graph of the operators Rigor exports (no recurrent ones) with TensorCore ops.
import Foundation
import NeuralNetworks
import SwiftProtobuf
import TensorCore

/// An ONNX model run by our own evaluator: what `rigor serve model.onnx` uses. It reads graphs of the operators
/// ``ONNXExporter`` writes for feed-forward, convolutional and attention models (`MatMul`, `Add`, `Mul`, `Conv`,
/// the pools, `Flatten`, `BatchNormalization`, `LayerNormalization`, `Gather`/`Cast`/`Round`, `Reshape`,
/// `Transpose`, `Split`, `Softmax` and the activations, `Erf`, `Identity`); the recurrent operators (`LSTM`, `GRU`,
/// `RNN`) and anything else are refused when the file is read, naming the operator. A ``Layer``, so `predict` works.
public final class ONNXGraphModel: Layer {
    /// The sample shape of the graph's input (after the batch axis), when every extent is a number.
    public let inputShape: [Int]?
    /// The file's `metadata_props`.
    public let metadata: [String: String]
    /// The operator of every node, in order.
    public let operators: [String]
    let graph: Onnx_GraphProto
    let constants: [String: Value]

    static let supported: Set<String> = [
        "MatMul", "Add", "Mul", "Relu", "Sigmoid", "Tanh", "LeakyRelu", "Elu", "Softplus", "Softmax", "Erf", "Conv",
        "MaxPool", "AveragePool", "GlobalAveragePool", "Flatten", "Identity", "BatchNormalization",
        "LayerNormalization",
        "Gather", "Cast", "Round", "Reshape", "Transpose", "Split", "Gemm",
    ]

    /// A value flowing through the graph: floats, or int64s (shapes, split sizes).
    enum Value {
        case float(Tensor)
        case integers([Int64])
    }

    public init(data: Data) throws {
        let model = try Onnx_ModelProto(serializedBytes: data)
        graph = model.graph
        metadata = Dictionary(model.metadataProps.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
        operators = graph.node.map(\.opType)
        if let unsupported = operators.first(where: { !Self.supported.contains($0) }) {
            throw NeuralNetworkError("ONNX", "operator \(unsupported) is not supported by Rigor's evaluator")
        }
        guard graph.input.count >= 1, graph.output.count == 1 else {
            throw NeuralNetworkError("ONNX", "the graph needs one input and one output")
        }
        let dimensions = graph.input[0].type.tensorType.shape.dim.dropFirst()
        let numbers = dimensions.map { $0.dimParam.isEmpty ? Int($0.dimValue) : -1 }
        inputShape = numbers.allSatisfy { $0 > 0 } ? Array(numbers) : nil
        var constants: [String: Value] = [:]
        for initializer in graph.initializer {
            constants[initializer.name] = try Self.value(of: initializer)
        }
        self.constants = constants
    }

    public var kind: String { "ONNXGraph" }

    public func forward(_ input: Tensor, context: LayerContext) throws -> Tensor {
        var values = constants
        values[graph.input[0].name] = .float(input)
        try noGrad {
            for node in graph.node {
                let outputs = try evaluate(node, values)
                for (name, value) in zip(node.output, outputs) { values[name] = value }
            }
        }
        guard case .float(let output) = values[graph.output[0].name] else {
            throw NeuralNetworkError("ONNX", "the graph did not compute its output \(graph.output[0].name)")
        }
        return output
    }

    static func value(of tensor: Onnx_TensorProto) throws -> Value {
        let shape = tensor.dims.map(Int.init)
        switch Onnx_TensorProto.DataType(rawValue: Int(tensor.dataType)) {
        case .float:
            var floats = tensor.floatData
            if floats.isEmpty && !tensor.rawData.isEmpty {
                floats = tensor.rawData.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            }
            return .float(try Tensor(shape: shape, scalars: floats))
        case .int64:
            var integers = tensor.int64Data
            if integers.isEmpty && !tensor.rawData.isEmpty {
                integers = tensor.rawData.withUnsafeBytes { Array($0.bindMemory(to: Int64.self)) }
            }
            return .integers(integers)
        default:
            throw NeuralNetworkError(
                "ONNX", "initializer \(tensor.name) has an unsupported data type \(tensor.dataType)")
        }
    }

    func evaluate(_ node: Onnx_NodeProto, _ values: [String: Value]) throws -> [Value] {
        func float(_ index: Int) throws -> Tensor {
            guard index < node.input.count, case .float(let tensor) = values[node.input[index]] else {
                throw NeuralNetworkError("ONNX", "\(node.opType) \(node.name): input \(index) is not a float tensor")
            }
            return tensor
        }
        func integers(_ index: Int) throws -> [Int] {
            guard index < node.input.count, case .integers(let list) = values[node.input[index]] else {
                throw NeuralNetworkError("ONNX", "\(node.opType) \(node.name): input \(index) is not an int64 tensor")
            }
            return list.map(Int.init)
        }
        let attributes = Dictionary(node.attribute.map { ($0.name, $0) }, uniquingKeysWith: { $1 })
        func int(_ name: String, _ fallback: Int) -> Int { attributes[name].map { Int($0.i) } ?? fallback }
        func ints(_ name: String) -> [Int]? { attributes[name].map { $0.ints.map(Int.init) } }
        func float(_ name: String, _ fallback: Float) -> Float { attributes[name]?.f ?? fallback }
        switch node.opType {
        case "MatMul": return [.float(try Tensor.matmul(float(0), float(1)))]
        case "Gemm":
            let a = int("transA", 0) == 1 ? try float(0).transposed(0, 1) : try float(0)
            let product = try Tensor.matmul(a, float(1), transposeB: int("transB", 0) == 1) * float("alpha", 1)
            return [.float(node.input.count > 2 ? try product + float(2) * float("beta", 1) : product)]
        case "Add": return [.float(try float(0) + float(1))]
        case "Mul": return [.float(try float(0) * float(1))]
        case "Relu": return [.float(try float(0).relu())]
        case "Sigmoid": return [.float(try float(0).sigmoid())]
        case "Tanh": return [.float(try float(0).tanh())]
        case "LeakyRelu": return [.float(try float(0).leakyRelu(slope: float("alpha", 0.01)))]
        case "Elu": return [.float(try float(0).elu(alpha: float("alpha", 1)))]
        case "Softplus": return [.float(try float(0).softplus())]
        case "Softmax": return [.float(try float(0).softmax(alongAxis: int("axis", -1)))]
        case "Erf":
            let x = try float(0)
            return [.float(try Tensor(shape: x.shape, scalars: x.scalars.map { Float(erf(Double($0))) }))]
        case "Identity", "Cast": return [values[node.input[0]]!]
        case "Round": return [.float(try float(0).rounded())]
        case "Conv":
            let strides = ints("strides") ?? [1, 1]
            let pads = ints("pads") ?? [0, 0, 0, 0]
            guard pads.count == 4, pads[0] == pads[2], pads[1] == pads[3], int("group", 1) == 1 else {
                throw NeuralNetworkError("ONNX", "Conv \(node.name): only symmetric 2-D padding and one group")
            }
            let dilations = ints("dilations") ?? [1, 1]
            return [
                .float(
                    try float(0).conv2d(
                        weight: float(1), bias: node.input.count > 2 ? try float(2) : nil,
                        stride: (strides[0], strides[1]),
                        padding: (pads[0], pads[1]), dilation: (dilations[0], dilations[1])))
            ]
        case "MaxPool", "AveragePool":
            let kernel = ints("kernel_shape") ?? [1, 1]
            let strides = ints("strides") ?? [1, 1]
            let pads = ints("pads") ?? [0, 0, 0, 0]
            let x = try float(0)
            if node.opType == "MaxPool" {
                return [
                    .float(
                        try x.maxPool2d(
                            kernel: (kernel[0], kernel[1]), stride: (strides[0], strides[1]),
                            padding: (pads[0], pads[1])))
                ]
            }
            return [
                .float(
                    try x.avgPool2d(
                        kernel: (kernel[0], kernel[1]), stride: (strides[0], strides[1]), padding: (pads[0], pads[1])))
            ]
        case "GlobalAveragePool":
            let x = try float(0)
            return [.float(try x.mean(alongAxes: Array(2..<x.rank), keepingDimensions: true))]
        case "Flatten":
            let x = try float(0)
            let axis = int("axis", 1)
            let outer = x.shape[..<axis].reduce(1, *)
            return [.float(try x.reshaped(to: [outer, x.scalarCount / Swift.max(outer, 1)]))]
        case "BatchNormalization":
            let x = try float(0)
            var channelShape = [Int](repeating: 1, count: x.rank)
            channelShape[1] = x.shape[1]
            let scale = try float(1).reshaped(to: channelShape)
            let shift = try float(2).reshaped(to: channelShape)
            let mean = try float(3).reshaped(to: channelShape)
            let variance = try float(4).reshaped(to: channelShape)
            return [.float(try (x - mean) / (variance + float("epsilon", 1e-5)).squareRoot() * scale + shift)]
        case "LayerNormalization":
            return [
                .float(try float(0).layerNormalized(gamma: float(1), beta: float(2), epsilon: float("epsilon", 1e-5)))
            ]
        case "Gather":
            let indices = try float(1)
            let ids = try IndexTensor(shape: indices.shape, indices: indices.scalars.map { Int($0) })
            return [.float(try float(0).indexSelect(ids, alongAxis: int("axis", 0)))]
        case "Reshape":
            let x = try float(0)
            let requested = try integers(1)
            let shape = requested.enumerated().map { $0.element == 0 ? x.shape[$0.offset] : $0.element }
            return [.float(try x.reshaped(to: shape))]
        case "Transpose":
            let x = try float(0)
            return [.float(try x.permuted(ints("perm") ?? Array((0..<x.rank).reversed())))]
        case "Split":
            let x = try float(0)
            let axis = int("axis", 0)
            let sizes = try integers(1)
            return try x.split(sizes: sizes, alongAxis: axis < 0 ? axis + x.rank : axis).map { .float($0) }
        default:
            throw NeuralNetworkError("ONNX", "operator \(node.opType) is not supported by Rigor's evaluator")
        }
    }
}
