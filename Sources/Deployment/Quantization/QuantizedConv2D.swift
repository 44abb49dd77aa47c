// QuantizedConv2D: a 2-D convolution computed in int8 (read straight from an NHWC int8 copy of the input with AVX-512
// VNNI, or im2col of the quantized input, then the int8 GEMM).
import CInt8Kernels
import NeuralNetworks
import TensorCore

/// A ``Conv2D`` (with a following ``BatchNorm`` folded in, when the quantizer found one) whose product runs in
/// int8: the input is quantized per tensor, unfolded into `[N·OH·OW, C·kh·kw]` int8 patches whose padding is the
/// zero point (the exact code of 0.0), multiplied by the per-channel int8 filters in int32, and dequantized.
///
/// On a CPU with AVX-512 VNNI the patches are not unfolded: the input is quantized once into a zero-padded NHWC int8
/// copy and `rigor_int8_conv_vnni` reads each pixel's window from it (see ``PackedConvolutionFilters``); the int32
/// sums are the same as the im2col path's, so both give the same output to the bit.
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
    /// The filters packed for the direct VNNI convolution; nil when this CPU has no VNNI (or it is turned off).
    let packed: PackedConvolutionFilters?
    /// Whether the direct path folds each kernel row's taps into channels (`C · kw ≤ 4`, `kw > 1`: a one-channel
    /// input's 3×3 kernel becomes three taps of four bytes instead of nine of one).
    let widened: Bool

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
        widened = inputChannels * kernelSize.1 <= 4 && kernelSize.1 > 1
        packed =
            Int8GEMM.usesVNNI && weights.rowLength <= Int8GEMM.vnniMaximumRowLength
            ? PackedConvolutionFilters(weights, inputChannels: inputChannels, kernelSize: kernelSize, widened: widened)
            : nil
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
        let (outputHeight, outputWidth) = outputSize(height: input.shape[2], width: input.shape[3])
        guard outputHeight > 0, outputWidth > 0 else {
            throw NeuralNetworkError(
                "QuantizedConv2D", "input \(TensorError.format(shape: input.shape)) is smaller than the kernel")
        }
        let map = inputQuantization ?? QuantizedDense.dynamicQuantization(of: input)
        if packed != nil { return try dequantized(sums(of: directInput(input, map: map))) }
        return try unfolded(input, map: map, outputHeight: outputHeight, outputWidth: outputWidth)
    }

    /// `(OH, OW)` for an input of `height × width`.
    func outputSize(height: Int, width: Int) -> (Int, Int) {
        ((height + 2 * padding.0 - kernelSize.0) / stride.0 + 1, (width + 2 * padding.1 - kernelSize.1) / stride.1 + 1)
    }

    /// The im2col path: int8 patches `[N·OH·OW, C·kh·kw]` and ``Int8GEMM``.
    func unfolded(_ input: Tensor, map: AffineQuantization, outputHeight: Int, outputWidth: Int) throws -> Tensor {
        let (batch, channels, height, width) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        let (kh, kw) = kernelSize
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

    /// The input of the direct VNNI path: a zero-padded NHWC copy of the codes shifted to unsigned (`q + 128`, what
    /// `vpdpbusd` multiplies); padding and the unused channels (whose filters are 0) hold the code of 0.0.
    func directInput(_ input: Tensor, map: AffineQuantization) -> DirectConvolutionInput {
        let (batch, channels, height, width) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        var codes = DirectConvolutionInput(self, batch: batch, height: height, width: width, map: map)
        let (cp, paddedWidth, paddedHeight) = (codes.channelsPadded, codes.paddedWidth, codes.paddedHeight)
        let inverse = 1 / map.scale
        input.withUnsafeBufferPointer { x in
            codes.values.withUnsafeMutableBufferPointer { u in
                for n in 0..<batch {
                    for c in 0..<channels {
                        for y in 0..<height {
                            let source = x.baseAddress! + ((n * channels + c) * height + y) * width
                            let row = (n * paddedHeight + y + padding.0) * paddedWidth + padding.1
                            let destination = u.baseAddress! + row * cp + c
                            if widened {
                                // Slot j·C + c at column x holds column x + j: each code lands in kw places.
                                for column in 0..<width {
                                    let q = UInt8(
                                        truncatingIfNeeded: Int32(map.code(source[column], inverse: inverse)) &+ 128)
                                    for j in 0..<kernelSize.1 where column + padding.1 - j >= 0 {
                                        destination[(column - j) * cp + j * channels] = q
                                    }
                                }
                                continue
                            }
                            for column in 0..<width {
                                let q = map.code(source[column], inverse: inverse)
                                destination[column * cp] = UInt8(truncatingIfNeeded: Int32(q) &+ 128)
                            }
                        }
                    }
                }
            }
        }
        return codes
    }

    /// `rigor_int8_conv_vnni` on prepared codes: the int32 sums `[N·OH·OW, Op]`.
    func sums(of input: DirectConvolutionInput) -> DirectConvolutionSums {
        let packed = packed!  // the direct path runs only with packed filters
        let (outputHeight, outputWidth) = outputSize(height: input.height, width: input.width)
        var result = DirectConvolutionSums(
            batch: input.batch, outputHeight: outputHeight, outputWidth: outputWidth,
            channelsPadded: packed.outputChannelsPadded, map: input.map)
        input.values.withUnsafeBufferPointer { u in
            packed.values.withUnsafeBufferPointer { w in
                result.values.withUnsafeMutableBufferPointer { out in
                    rigor_int8_conv_vnni(
                        u.baseAddress!, w.baseAddress!, out.baseAddress!, input.batch, input.paddedHeight,
                        input.paddedWidth, input.channelsPadded, kernelSize.0, widened ? 1 : kernelSize.1, stride.0,
                        stride.1,
                        outputHeight, outputWidth, packed.outputChannelsPadded)
                }
            }
        }
        return result
    }

    /// The dequantization of the sums: `factor[o] · (s − correction[o]) + bias[o]`, then the ReLU when the layer has
    /// it.
    ///
    /// The kernel sums `(q + 128) · w`; `Σ (q − zeroPoint) · w` is that minus `(128 + zeroPoint) · Σ w`, the same
    /// integer the im2col path computes. `factor > 0`, so the dequantized value grows with the sum: the maximum of
    /// a pooling window can be taken on the sums.
    func withDequantization<R>(
        _ map: AffineQuantization,
        _ body: (
            _ factors: UnsafePointer<Float>, _ corrections: UnsafePointer<Int32>, _ offsets: UnsafePointer<Float>
        ) throws -> R
    ) rethrows -> R {
        let factors = weights.scales.map { $0 * map.scale }
        let corrections = weights.rowSums.map { $0 &* (128 &+ map.zeroPoint) }
        let offsets = bias ?? [Float](repeating: 0, count: outputChannels)
        return try factors.withUnsafeBufferPointer { f in
            try corrections.withUnsafeBufferPointer { c in
                try offsets.withUnsafeBufferPointer { b in try body(f.baseAddress!, c.baseAddress!, b.baseAddress!) }
            }
        }
    }

    /// The float output `[N, O, OH, OW]`: one pass that dequantizes, adds the bias, applies the activation and
    /// writes NCHW.
    func dequantized(_ sums: DirectConvolutionSums) throws -> Tensor {
        let positions = sums.outputHeight * sums.outputWidth
        let op = sums.channelsPadded
        let relu = activation == .relu
        let result = try withDequantization(sums.map) { factors, corrections, offsets in
            try sums.values.withUnsafeBufferPointer { s in
                try Tensor(shape: [sums.batch, outputChannels, sums.outputHeight, sums.outputWidth]) { output in
                    for n in 0..<sums.batch {
                        for o in 0..<outputChannels {
                            let destination = output.baseAddress! + (n * outputChannels + o) * positions
                            let source = s.baseAddress! + n * positions * op + o
                            let (factor, correction, offset) = (factors[o], corrections[o], offsets[o])
                            for position in 0..<positions {
                                let y = factor * Float(source[position * op] &- correction) + offset
                                destination[position] = relu ? Swift.max(y, 0) : y
                            }
                        }
                    }
                }
            }
        }
        return relu || activation == .identity ? result : try activation.apply(result)
    }

    /// Max pooling of the sums (`window`, `step`, no padding), each window's maximum dequantized: what
    /// `MaxPool2D` computes on ``dequantized(_:)``'s output, with one dequantization per window. For each pooled
    /// pixel `(n, y, x)`, in order, `sink(n, y, x, values)` gets its `outputChannels` values (all channels of a
    /// pixel are contiguous in the sums, so the maxima are one vector pass per window position). Only for the
    /// identity and ReLU (monotonic, and applied here).
    func pooled(
        _ sums: DirectConvolutionSums, window: Int, step: Int,
        _ sink: (_ n: Int, _ y: Int, _ x: Int, _ values: UnsafePointer<Float>) -> Void
    ) {
        let pooledHeight = (sums.outputHeight - window) / step + 1
        let pooledWidth = (sums.outputWidth - window) / step + 1
        let (op, channels) = (sums.channelsPadded, outputChannels)
        let relu = activation == .relu
        let best = UnsafeMutablePointer<Int32>.allocate(capacity: op)
        let values = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(channels, 1))
        defer {
            best.deallocate()
            values.deallocate()
        }
        withDequantization(sums.map) { factors, corrections, offsets in
            sums.values.withUnsafeBufferPointer { s in
                for n in 0..<sums.batch {
                    let image = s.baseAddress! + n * sums.outputHeight * sums.outputWidth * op
                    for y in 0..<pooledHeight {
                        for x in 0..<pooledWidth {
                            best.update(from: image + ((y * step) * sums.outputWidth + x * step) * op, count: op)
                            for i in 0..<window {
                                for j in 0..<window where i > 0 || j > 0 {
                                    let pixel = image + ((y * step + i) * sums.outputWidth + x * step + j) * op
                                    for o in 0..<op { best[o] = Swift.max(best[o], pixel[o]) }
                                }
                            }
                            for o in 0..<channels {
                                let v = factors[o] * Float(best[o] &- corrections[o]) + offsets[o]
                                values[o] = relu ? Swift.max(v, 0) : v
                            }
                            sink(n, y, x, values)
                        }
                    }
                }
            }
        }
    }
}

/// A batch quantized for the direct convolution: `[N, H + 2·padding, W + 2·padding, Cp]` unsigned codes.
struct DirectConvolutionInput {
    let batch, height, width, paddedHeight, paddedWidth, channelsPadded: Int
    let map: AffineQuantization
    var values: [UInt8]

    /// Codes for `layer`'s input of `batch × height × width`, all set to the code of 0.0.
    init(_ layer: QuantizedConv2D, batch: Int, height: Int, width: Int, map: AffineQuantization) {
        self.batch = batch
        self.height = height
        self.width = width
        paddedHeight = height + 2 * layer.padding.0
        paddedWidth = width + 2 * layer.padding.1
        channelsPadded = layer.packed!.channelsPadded
        self.map = map
        values = [UInt8](
            repeating: UInt8(truncatingIfNeeded: map.zeroPoint + 128),
            count: Swift.max(batch * paddedHeight * paddedWidth * channelsPadded, 1))
    }
}

/// The int32 sums of the direct convolution, `[N·OH·OW, Op]`, and the input map they were computed with.
struct DirectConvolutionSums {
    let batch, outputHeight, outputWidth, channelsPadded: Int
    let map: AffineQuantization
    var values: [Int32]

    init(batch: Int, outputHeight: Int, outputWidth: Int, channelsPadded: Int, map: AffineQuantization) {
        self.batch = batch
        self.outputHeight = outputHeight
        self.outputWidth = outputWidth
        self.channelsPadded = channelsPadded
        self.map = map
        // Uninitialized: the kernel writes every channel of every pixel.
        let count = Swift.max(batch * outputHeight * outputWidth * channelsPadded, 1)
        values = [Int32](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }
}
