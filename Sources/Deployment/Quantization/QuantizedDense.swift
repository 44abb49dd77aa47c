// QuantizedDense: a dense layer computed in int8 with int32 accumulation, y = activation(x·Wᵀ + b).
import NeuralNetworks
import TensorCore

/// A ``Dense`` layer whose product runs in int8: the input is quantized per tensor (asymmetric, with the calibrated
/// range, or with this input's own range when dynamic), multiplied by per-channel int8 weights in int32
/// (``Int8GEMM``), and dequantized with the bias and activation in one pass.
///
/// - Shape: `[..., in] → [..., out]`.
public final class QuantizedDense: Layer {
    public let inputSize: Int
    public let outputSize: Int
    public let activation: ActivationFunction
    public let weights: QuantizedWeights
    public let bias: [Float]?
    /// The calibrated input range; nil for dynamic quantization (each input's own minimum and maximum).
    public let inputQuantization: AffineQuantization?

    /// Quantizes `dense`'s weights; `input` is the calibrated input map, or nil for dynamic quantization.
    public init(_ dense: Dense, input: AffineQuantization?) {
        inputSize = dense.inputSize
        outputSize = dense.outputSize
        activation = dense.activation
        weights = QuantizedWeights(dense.weight.value)
        bias = dense.bias?.value.scalars
        inputQuantization = input
    }

    public var kind: String {
        (inputQuantization == nil ? "QuantizedDense(dynamic" : "QuantizedDense(static")
            + (activation == .identity ? ")" : ", \(activation.rawValue))")
    }

    /// Bytes of the int8 weights, their scales, the Float32 bias and the input map.
    public var byteCount: Int { weights.byteCount + 4 * (bias?.count ?? 0) + (inputQuantization == nil ? 0 : 8) }

    public func forward(_ input: Tensor, context: LayerContext) throws -> Tensor {
        guard input.rank >= 1, input.shape[input.rank - 1] == inputSize else {
            throw NeuralNetworkError(
                "QuantizedDense", "expected input [..., \(inputSize)], got \(TensorError.format(shape: input.shape))")
        }
        let m = input.scalarCount / inputSize
        let map = inputQuantization ?? Self.dynamicQuantization(of: input)
        let rowLength = weights.rowLength
        var quantized = [Int8](repeating: 0, count: Swift.max(m * rowLength, 1))
        input.withUnsafeBufferPointer { x in
            quantized.withUnsafeMutableBufferPointer { q in
                for row in 0..<m {
                    map.quantize(
                        x.baseAddress! + row * inputSize, count: inputSize, into: q.baseAddress! + row * rowLength)
                }
            }
        }
        var output = [Float](repeating: 0, count: m * outputSize)
        let relu = activation == .relu
        quantized.withUnsafeBufferPointer { q in
            output.withUnsafeMutableBufferPointer { y in
                weights.multiply(q.baseAddress!, m: m, input: map, bias: bias, into: y.baseAddress!, relu: relu)
            }
        }
        let result = try Tensor(shape: Array(input.shape.dropLast()) + [outputSize], scalars: output)
        return relu ? result : try activation.apply(result)
    }

    /// The asymmetric map of this tensor's own range (dynamic quantization).
    static func dynamicQuantization(of input: Tensor) -> AffineQuantization {
        input.withUnsafeBufferPointer { dynamicQuantization(of: $0) }
    }

    static func dynamicQuantization(of values: UnsafeBufferPointer<Float>) -> AffineQuantization {
        var low: Float = 0
        var high: Float = 0
        for value in values where value.isFinite {
            low = Swift.min(low, value)
            high = Swift.max(high, value)
        }
        return .activation(lower: low, upper: high)
    }
}
