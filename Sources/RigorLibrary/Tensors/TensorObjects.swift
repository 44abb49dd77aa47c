// TensorObjects: `TensorObject`, a tensor as a script value, and its conversions from numbers and arrays.
import Foundation
import NeuralNetworks
import RigorScript
import TensorCore

/// A tensor in a script. A model parameter keeps its `Parameter` so that reads see its current value.
final class TensorObject: NativeObject, ArgumentType, ScriptValueConvertible {
    static var scriptTypeName: String { "Tensor" }
    private var stored: Tensor
    let parameter: Parameter?

    init(_ tensor: Tensor) {
        stored = tensor
        parameter = nil
    }

    init(parameter: Parameter) {
        stored = parameter.value
        self.parameter = parameter
    }

    var tensor: Tensor {
        get { parameter?.value ?? stored }
        set { stored = newValue }
    }

    var typeName: String { "Tensor" }

    var description: String { TensorObject.describe(tensor) }

    static func describe(_ tensor: Tensor) -> String {
        let shape = TensorError.format(shape: tensor.shape)
        if tensor.scalarCount <= 64 {
            return "Tensor(shape: \(shape), \(nested(tensor.scalars[...], shape: tensor.shape[...])))"
        }
        // Read in place, without copies: the tensor may be most of the memory limit.
        return tensor.withUnsafeBufferPointer { scalars in
            var minimum = Double.infinity, maximum = -Double.infinity, sum = 0.0
            for scalar in scalars {
                let value = Double(scalar)
                minimum = Swift.min(minimum, value)
                maximum = Swift.max(maximum, value)
                sum += value
            }
            let mean = sum / Double(scalars.count)
            var squares = 0.0
            for scalar in scalars { squares += (Double(scalar) - mean) * (Double(scalar) - mean) }
            let std = (squares / Double(scalars.count)).squareRoot()
            let preview = scalars.prefix(6).map { format(Double($0)) }.joined(separator: ", ")
            return "Tensor(shape: \(shape), min \(format(minimum)), max \(format(maximum)), "
                + "mean \(format(mean)), std \(format(std)), first [\(preview), …])"
        }
    }

    private static func nested(_ scalars: ArraySlice<Float>, shape: ArraySlice<Int>) -> String {
        guard let first = shape.first else { return scalars.first.map { format(Double($0)) } ?? "" }
        let step = first == 0 ? 0 : scalars.count / first
        let parts = (0..<first).map { index in
            let start = scalars.startIndex + index * step
            return nested(scalars[start..<start + step], shape: shape.dropFirst())
        }
        return "[" + parts.joined(separator: ", ") + "]"
    }

    func applyBinaryOperator(_ op: String, lhs: Value, rhs: Value) throws -> Value? {
        guard let a = TensorObject.operand(lhs), let b = TensorObject.operand(rhs) else { return nil }
        let result: Tensor
        switch op {
        case "+": result = try engine { try a + b }
        case "-": result = try engine { try a - b }
        case "*": result = try engine { try a * b }
        case "/": result = try engine { try a / b }
        default: return nil
        }
        return .object(TensorObject(result))
    }

    func applyNegation() throws -> Value? { .object(TensorObject(-tensor)) }

    /// A tensor or a number (as a scalar tensor) for arithmetic.
    static func operand(_ value: Value) -> Tensor? {
        if case .object(let object as TensorObject) = value { return object.tensor }
        if let number = value.doubleValue { return Tensor(Float(number)) }
        return nil
    }

    /// A tensor from a tensor, a number or nested arrays of numbers.
    static func make(from value: Value) throws -> Tensor {
        if let tensor = operand(value) { return tensor }
        guard case .array = value else {
            throw BuiltinError(
                .type, "cannot make a Tensor from a value of type '\(value.typeName)'")
        }
        var shape: [Int] = []
        var probe = value
        while case .array(let elements) = probe {
            shape.append(elements.count)
            guard let first = elements.first else { break }
            probe = first
        }
        var scalars: [Float] = []
        func collect(_ value: Value, depth: Int) throws {
            if depth == shape.count {
                guard let number = value.doubleValue else {
                    throw BuiltinError(
                        .type, "a Tensor holds numbers, not '\(value.typeName)'")
                }
                scalars.append(Float(number))
                return
            }
            guard case .array(let elements) = value, elements.count == shape[depth] else {
                throw BuiltinError(
                    .shape,
                    "nested arrays are ragged: expected \(shape[depth]) elements at depth \(depth + 1) "
                        + "for shape \(TensorError.format(shape: shape))")
            }
            for element in elements { try collect(element, depth: depth + 1) }
        }
        try collect(value, depth: 0)
        return try engine { try Tensor(shape: shape, scalars: scalars) }
    }

    /// Nested arrays of Doubles (a scalar tensor gives a Double).
    static func array(of tensor: Tensor) -> Value {
        let scalars = tensor.scalars
        func build(_ offset: Int, _ axis: Int) -> Value {
            if axis == tensor.shape.count { return .double(Double(scalars[offset])) }
            let stride = tensor.shape[(axis + 1)...].reduce(1, *)
            return .array((0..<tensor.shape[axis]).map { build(offset + $0 * stride, axis + 1) })
        }
        return build(0, 0)
    }

    /// Nested arrays of Ints for index results (an Int for a scalar).
    static func array(of indices: IndexTensor) -> Value {
        func build(_ offset: Int, _ axis: Int) -> Value {
            if axis == indices.shape.count { return .int(indices.indices[offset]) }
            let stride = indices.shape[(axis + 1)...].reduce(1, *)
            return .array((0..<indices.shape[axis]).map { build(offset + $0 * stride, axis + 1) })
        }
        return build(0, 0)
    }
}

/// A `Tensor` parameter takes a tensor, a number or nested arrays of numbers; a body returns a `Tensor` as a script
/// tensor.
extension Tensor: ArgumentType, ScriptValueConvertible {
    public static var scriptTypeName: String { "Tensor" }
    public static func decode(_ value: Value, context: CallContext) throws -> Tensor? {
        try TensorObject.make(from: value)
    }
    public var scriptValue: Value { .object(TensorObject(self)) }
}

/// The extents of a tensor: an array of non-negative Ints (`[2, 3]`).
struct Shape: ArgumentType, ScriptValueConvertible {
    let extents: [Int]
    static var scriptTypeName: String { "[Int]" }
    var scriptValue: Value { extents.scriptValue }
    static func decode(_ value: Value, context: CallContext) throws -> Shape? {
        guard case .array(let elements) = value else { return nil }
        return Shape(
            extents: try elements.map {
                guard let extent = $0.intValue, extent >= 0 else {
                    throw BuiltinError(.value, "a shape is an array of non-negative Ints, like [2, 3]")
                }
                return extent
            })
    }
}

/// An index result as a script value: nested arrays of Ints (an Int for a scalar).
extension IndexTensor: ScriptValueConvertible {
    public var scriptValue: Value { TensorObject.array(of: self) }
}

/// `t[i]`, `t[i, j]`, `t[a..<b]`: integer indices drop an axis, ranges keep it.
func subscriptTensor(_ tensor: Tensor, _ indices: [Value]) throws -> Value {
    guard indices.count <= tensor.rank else {
        throw BuiltinError(
            .index,
            "too many indices (\(indices.count)) for a tensor of shape \(TensorError.format(shape: tensor.shape))")
    }
    var result = tensor
    var axis = 0
    for index in indices {
        let extent = result.shape[axis]
        switch index {
        case .int(var i):
            if i < 0 { i += extent }
            guard (0..<extent).contains(i) else {
                throw BuiltinError(.index, "index \(i) is out of range 0..<\(extent) for axis \(axis)")
            }
            result = try engine { try result.sliced(alongAxis: axis, from: i, to: i + 1).squeezed(axis: axis) }
        case .range(let range):
            let lower = max(0, range.lower)
            let upper = min(extent, range.upperBoundExclusive)
            guard lower <= upper else {
                throw BuiltinError(.index, "empty or reversed range \(range.lower)..<\(range.upper)")
            }
            result = try engine { try result.sliced(alongAxis: axis, from: lower, to: upper) }
            axis += 1
        default:
            throw BuiltinError(.type, "a tensor index is an Int or a range, not '\(index.typeName)'")
        }
    }
    if result.rank == 0 { return .double(Double(try engine { try result.item() })) }
    return result.scriptValue
}
