// QuantizedDense: a dense layer computed in int8 with int32 accumulation, y = activation(x·Wᵀ + b).
import CInt8Kernels
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
    /// The weights packed for the VNNI convolution kernel, run as a 1×1 convolution over `m` one-pixel images (16
    /// outputs per 64-byte load, against the GEMM kernel's 4 per 16 bytes and a horizontal sum per output); nil
    /// without VNNI.
    let packed: PackedConvolutionFilters?

    /// Quantizes `dense`'s weights; `input` is the calibrated input map, or nil for dynamic quantization.
    public init(_ dense: Dense, input: AffineQuantization?) {
        inputSize = dense.inputSize
        outputSize = dense.outputSize
        activation = dense.activation
        weights = QuantizedWeights(dense.weight.value)
        bias = dense.bias?.value.scalars
        inputQuantization = input
        packed =
            Int8GEMM.usesVNNI && weights.rowLength <= Int8GEMM.vnniMaximumRowLength
            ? PackedConvolutionFilters(weights, inputChannels: dense.inputSize, kernelSize: (1, 1)) : nil
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
        if let packed { return try direct(input, m: m, map: map, packed: packed) }
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

    /// The VNNI path: the rows quantized to unsigned codes (`q + 128`, channels padded to 4 with the code of 0.0),
    /// `rigor_int8_conv_vnni` as a 1×1 convolution, and one pass that dequantizes with the correction
    /// `(128 + zeroPoint) · Σ w`: the same integers and arithmetic as the GEMM path, so the same output to the bit.
    func direct(_ input: Tensor, m: Int, map: AffineQuantization, packed: PackedConvolutionFilters) throws -> Tensor {
        let (cp, op) = (packed.channelsPadded, packed.outputChannelsPadded)
        var codes = [UInt8](
            repeating: UInt8(truncatingIfNeeded: map.zeroPoint + 128), count: Swift.max(m * cp, 1))
        let inverse = 1 / map.scale
        input.withUnsafeBufferPointer { x in
            codes.withUnsafeMutableBufferPointer { u in
                for row in 0..<m {
                    let source = x.baseAddress! + row * inputSize
                    let destination = u.baseAddress! + row * cp
                    for p in 0..<inputSize {
                        destination[p] = UInt8(truncatingIfNeeded: Int32(map.code(source[p], inverse: inverse)) &+ 128)
                    }
                }
            }
        }
        let sums = [Int32](unsafeUninitializedCapacity: Swift.max(m * op, 1)) { buffer, count in
            codes.withUnsafeBufferPointer { u in
                packed.values.withUnsafeBufferPointer { w in
                    rigor_int8_conv_vnni(
                        u.baseAddress!, w.baseAddress!, buffer.baseAddress!, m, 1, 1, cp, 1, 1, 1, 1, 1, 1, op)
                }
            }
            count = Swift.max(m * op, 1)
        }
        let factors = weights.scales.map { $0 * map.scale }
        let corrections = weights.rowSums.map { $0 &* (128 &+ map.zeroPoint) }
        let offsets = bias ?? [Float](repeating: 0, count: outputSize)
        let relu = activation == .relu
        let n = outputSize
        let result = try Tensor(shape: Array(input.shape.dropLast()) + [n]) { output in
            sums.withUnsafeBufferPointer { s in
                factors.withUnsafeBufferPointer { f in
                    corrections.withUnsafeBufferPointer { c in
                        offsets.withUnsafeBufferPointer { b in
                            for i in 0..<m {
                                let row = s.baseAddress! + i * op
                                let out = output.baseAddress! + i * n
                                for j in 0..<n {
                                    let y = f[j] * Float(row[j] &- c[j]) + b[j]
                                    out[j] = relu ? Swift.max(y, 0) : y
                                }
                            }
                        }
                    }
                }
            }
        }
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
