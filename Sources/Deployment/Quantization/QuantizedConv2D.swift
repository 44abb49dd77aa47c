// QuantizedConv2D: a 2-D convolution computed in int8 (im2col of the quantized input, then the int8 GEMM).
import NeuralNetworks
import TensorCore

/// A ``Conv2D`` (with a following ``BatchNorm`` folded in, when the quantizer found one) whose product runs in
/// int8: the input is quantized per tensor, unfolded into `[N·OH·OW, C·kh·kw]` int8 patches whose padding is the
/// zero point (the exact code of 0.0), multiplied by the per-channel int8 filters in int32, and dequantized.
///
/// - Shape: `[N, C, H, W] → [N, O, OH, OW]`.
public final class QuantizedConv2D: Layer {
    public let inputChannels: Int
    public let outputChannels: Int
    public let kernelSize: (Int, Int)
    public let stride: (Int, Int)
    public let padding: (Int, Int)
    public let activation: ActivationFunction
    public let weights: QuantizedWeights
    public let bias: [Float]?
    public let inputQuantization: AffineQuantization?
    /// Whether a BatchNorm was folded into the filters and bias.
    public let foldedBatchNorm: Bool

    /// Quantizes `conv`'s filters, after folding `batchNorm` (evaluation statistics) into them when given.
    public init(_ conv: Conv2D, batchNorm: BatchNorm? = nil, input: AffineQuantization?) throws {
        inputChannels = conv.inputChannels
        outputChannels = conv.outputChannels
        kernelSize = conv.kernelSize
        stride = conv.stride
        padding = conv.padding
        activation = conv.activation
        inputQuantization = input
        var weight = conv.weight.value
        var bias = conv.bias?.value.scalars
        if let batchNorm {
            // W' = W·γ/√(σ²+ε), b' = (b − μ)·γ/√(σ²+ε) + β: the convolution the pair computes in evaluation mode.
            let gamma = batchNorm.weight.value.scalars
            let beta = batchNorm.bias.value.scalars
            let mean = batchNorm.runningMean.value.scalars
            let variance = batchNorm.runningVariance.value.scalars
            let factor = (0..<outputChannels).map { gamma[$0] / (variance[$0] + batchNorm.epsilon).squareRoot() }
            var scalars = weight.scalars
            let perChannel = scalars.count / outputChannels
            for channel in 0..<outputChannels {
                for p in 0..<perChannel { scalars[channel * perChannel + p] *= factor[channel] }
            }
            weight = try Tensor(shape: weight.shape, scalars: scalars)
            let original = bias ?? [Float](repeating: 0, count: outputChannels)
            bias = (0..<outputChannels).map { (original[$0] - mean[$0]) * factor[$0] + beta[$0] }
        }
        weights = QuantizedWeights(weight)
        self.bias = bias
        foldedBatchNorm = batchNorm != nil
    }

    public var kind: String {
        (inputQuantization == nil ? "QuantizedConv2D(dynamic" : "QuantizedConv2D(static")
            + (foldedBatchNorm ? ", +BatchNorm" : "") + (activation == .identity ? ")" : ", \(activation.rawValue))")
    }

    public var byteCount: Int { weights.byteCount + 4 * (bias?.count ?? 0) + (inputQuantization == nil ? 0 : 8) }

    public func forward(_ input: Tensor, context: LayerContext) throws -> Tensor {
        guard input.rank == 4, input.shape[1] == inputChannels else {
            throw NeuralNetworkError(
                "QuantizedConv2D",
                "expected input [N, \(inputChannels), H, W], got \(TensorError.format(shape: input.shape))")
        }
        let (batch, channels, height, width) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        let (kh, kw) = kernelSize
        let outputHeight = (height + 2 * padding.0 - kh) / stride.0 + 1
        let outputWidth = (width + 2 * padding.1 - kw) / stride.1 + 1
        guard outputHeight > 0, outputWidth > 0 else {
            throw NeuralNetworkError(
                "QuantizedConv2D", "input \(TensorError.format(shape: input.shape)) is smaller than the kernel")
        }
        let map = inputQuantization ?? QuantizedDense.dynamicQuantization(of: input)
        let plane = height * width
        var codes = [Int8](repeating: 0, count: input.scalarCount)
        input.withUnsafeBufferPointer { x in
            codes.withUnsafeMutableBufferPointer { q in
                map.quantize(x.baseAddress!, count: x.count, into: q.baseAddress!)
            }
        }
        // im2col in int8: patch row r = (n, oy, ox), column p = (c, dy, dx), PyTorch's filter layout.
        let rowLength = weights.rowLength
        let positions = outputHeight * outputWidth
        let m = batch * positions
        let padValue = Int8(map.zeroPoint)
        var patches = [Int8](repeating: 0, count: Swift.max(m * rowLength, 1))
        codes.withUnsafeBufferPointer { q in
            patches.withUnsafeMutableBufferPointer { patch in
                for n in 0..<batch {
                    for oy in 0..<outputHeight {
                        for ox in 0..<outputWidth {
                            let row = patch.baseAddress! + ((n * outputHeight + oy) * outputWidth + ox) * rowLength
                            var p = 0
                            for c in 0..<channels {
                                let source = q.baseAddress! + (n * channels + c) * plane
                                for dy in 0..<kh {
                                    let y = oy * stride.0 - padding.0 + dy
                                    for dx in 0..<kw {
                                        let x = ox * stride.1 - padding.1 + dx
                                        row[p] =
                                            y >= 0 && y < height && x >= 0 && x < width
                                            ? source[y * width + x] : padValue
                                        p += 1
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        var products = [Float](repeating: 0, count: m * outputChannels)
        let relu = activation == .relu
        patches.withUnsafeBufferPointer { patch in
            products.withUnsafeMutableBufferPointer { y in
                weights.multiply(patch.baseAddress!, m: m, input: map, bias: bias, into: y.baseAddress!, relu: relu)
            }
        }
        // [N·OH·OW, O] → [N, O, OH, OW]
        var output = [Float](repeating: 0, count: m * outputChannels)
        for n in 0..<batch {
            for position in 0..<positions {
                let source = (n * positions + position) * outputChannels
                for o in 0..<outputChannels {
                    output[(n * outputChannels + o) * positions + position] = products[source + o]
                }
            }
        }
        let result = try Tensor(shape: [batch, outputChannels, outputHeight, outputWidth], scalars: output)
        return relu ? result : try activation.apply(result)
    }
}
