// ONNXGraphBuilder: accumulates nodes, initializers and fresh names while a model is turned into an ONNX graph.
import Foundation
import SwiftProtobuf
import TensorCore

/// The mutable state of one export: the nodes in order, the weights as initializers, and unique names.
struct ONNXGraphBuilder {
    private(set) var nodes: [Onnx_NodeProto] = []
    private(set) var initializers: [Onnx_TensorProto] = []
    private var counter = 0

    /// A name no other value of the graph has.
    mutating func fresh(_ hint: String) -> String {
        counter += 1
        return "\(hint)_\(counter)"
    }

    /// Adds a Float32 initializer and returns its name.
    mutating func constant(_ hint: String, _ tensor: Tensor) -> String {
        constant(hint, shape: tensor.shape, floats: tensor.scalars)
    }

    mutating func constant(_ hint: String, shape: [Int], floats: [Float]) -> String {
        var proto = Onnx_TensorProto()
        proto.name = fresh(hint)
        proto.dims = shape.map(Int64.init)
        proto.dataType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        proto.rawData = floats.withUnsafeBufferPointer { Data(buffer: $0) }  // little-endian, as ONNX requires
        initializers.append(proto)
        return proto.name
    }

    /// Adds an Int64 initializer (shapes, split sizes) and returns its name.
    mutating func constant(_ hint: String, int64 values: [Int64], shape: [Int]? = nil) -> String {
        var proto = Onnx_TensorProto()
        proto.name = fresh(hint)
        proto.dims = (shape ?? [values.count]).map(Int64.init)
        proto.dataType = Int32(Onnx_TensorProto.DataType.int64.rawValue)
        proto.int64Data = values
        initializers.append(proto)
        return proto.name
    }

    /// Appends a node and returns the names of its outputs (`outputCount` fresh ones).
    @discardableResult
    mutating func node(
        _ opType: String, _ inputs: [String], attributes: [Onnx_AttributeProto] = [], outputCount: Int = 1
    ) -> [String] {
        var node = Onnx_NodeProto()
        node.opType = opType
        node.name = fresh(opType)
        node.input = inputs
        node.output = (0..<outputCount).map { _ in fresh(opType.lowercased()) }
        node.attribute = attributes
        nodes.append(node)
        return node.output
    }

    /// A one-output node.
    mutating func apply(_ opType: String, _ inputs: [String], _ attributes: [Onnx_AttributeProto] = []) -> String {
        node(opType, inputs, attributes: attributes)[0]
    }

    /// Renames the output of the last node (the graph's output gets a stable name).
    mutating func renameLastOutput(to name: String) {
        guard !nodes.isEmpty else { return }
        nodes[nodes.count - 1].output[0] = name
    }
}

/// Attribute constructors.
enum ONNXAttribute {
    static func int(_ name: String, _ value: Int) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = .int
        attribute.i = Int64(value)
        return attribute
    }

    static func ints(_ name: String, _ values: [Int]) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = .ints
        attribute.ints = values.map(Int64.init)
        return attribute
    }

    static func float(_ name: String, _ value: Float) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = .float
        attribute.f = value
        return attribute
    }

    static func string(_ name: String, _ value: String) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = .string
        attribute.s = Data(value.utf8)
        return attribute
    }

    static func strings(_ name: String, _ values: [String]) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = .strings
        attribute.strings = values.map { Data($0.utf8) }
        return attribute
    }
}
