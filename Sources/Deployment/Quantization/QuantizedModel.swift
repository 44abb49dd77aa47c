// QuantizedModel: a model whose Dense and Conv2D layers run in int8, usable wherever a model is (predict, evaluate).
import NeuralNetworks
import TensorCore

/// How a quantized model picks the int8 range of each layer's input.
public enum ActivationQuantizationMode {
    /// Each input's own range, at every call (PyTorch's dynamic quantization): no calibration data.
    case dynamic
    /// Ranges fixed by running the float model over `calibration` (a sample of inputs `[N, ...]`).
    case calibrated(Tensor, ActivationCalibration)
}

/// A model after post-training int8 quantization: a ``Layer`` (so `predict`, `predictClasses`, `evaluate` and
/// `summary` work on it) whose `Dense` and `Conv2D` layers are ``QuantizedDense`` / ``QuantizedConv2D`` (a
/// `BatchNorm` right after a `Conv2D` is folded into it), whose `LSTM`s are ``QuantizedLSTM`` (always dynamic), and
/// whose other layers are the float model's own.
///
/// ```swift
/// let int8 = try QuantizedModel(quantizing: model, activations: .calibrated(train.features, .percentile(99.99)))
/// let classes = try int8.predictClasses(test.features)
/// ```
public final class QuantizedModel: Layer {
    /// The layers in order; the float model's names are kept in ``children`` (`0`, `1`, …, folded ones skipped).
    public let layers: [(name: String, layer: any Layer)]
    /// Bytes of the float model's parameters and buffers (Float32).
    public let floatByteCount: Int

    /// Quantizes `model` (a `Sequential`, nested ones flattened, or a single layer); the float model is not changed.
    public init(quantizing model: any Layer, activations: ActivationQuantizationMode = .dynamic) throws {
        let flat = Self.flatten(model)
        floatByteCount = 4 * model.namedParameters.reduce(0) { $0 + $1.parameter.value.scalarCount }
        var observers: [Int: ActivationObserver] = [:]
        var method = ActivationCalibration.minMax
        if case .calibrated(let sample, let calibration) = activations {
            method = calibration
            guard sample.rank >= 1, sample.shape[0] > 0 else {
                throw NeuralNetworkError("quantize", "the calibration sample is empty")
            }
            try noGrad {
                let batch = 256
                for start in stride(from: 0, to: sample.shape[0], by: batch) {
                    var x = try sample.sliced(alongAxis: 0, from: start, to: Swift.min(start + batch, sample.shape[0]))
                    for (index, part) in flat.enumerated() {
                        if part.layer is Dense || part.layer is Conv2D { observers[index, default: .init()].observe(x) }
                        x = try part.layer.forward(x, context: .evaluation)
                    }
                }
            }
        }
        var result: [(name: String, layer: any Layer)] = []
        var index = 0
        while index < flat.count {
            let (name, layer) = flat[index]
            let input = observers[index].map { $0.quantization(method) }
            if let dense = layer as? Dense {
                result.append((name, QuantizedDense(dense, input: input)))
            } else if let lstm = layer as? LSTM {
                // Recurrent products are quantized dynamically whatever the mode (their inputs change every step).
                result.append((name, try QuantizedLSTM(lstm)))
            } else if let conv = layer as? Conv2D {
                let next = index + 1 < flat.count ? flat[index + 1].layer as? BatchNorm : nil
                // Folding is exact only when nothing (an activation) stands between the convolution and the norm.
                let batchNorm = conv.activation == .identity ? next : nil
                result.append((name, try QuantizedConv2D(conv, batchNorm: batchNorm, input: input)))
                if batchNorm != nil { index += 1 }
            } else {
                result.append((name, layer))
            }
            index += 1
        }
        layers = result
    }

    public var kind: String { "QuantizedModel" }
    public var children: [(name: String, layer: any Layer)] { layers }

    public func forward(_ input: Tensor, context: LayerContext) throws -> Tensor {
        // Quantized layers have nothing to train; dropout and BatchNorm still follow the context.
        var x = input
        var index = 0
        while index < layers.count {
            if let (output, consumed) = try int8Chain(from: index, input: x) {
                x = output
                index += consumed
                continue
            }
            x = try layers[index].layer.forward(x, context: context)
            index += 1
        }
        return x
    }

    /// `QuantizedConv2D → MaxPool2D [→ QuantizedConv2D → MaxPool2D]…` on the direct VNNI path without leaving int8
    /// between the layers: each window's maximum is taken on the int32 sums and only it is dequantized (the
    /// dequantization, with its ReLU, never decreases as the sum grows, so this is the maximum of the dequantized
    /// values), then quantized straight into the next convolution's padded NHWC input when that one has a
    /// calibrated input map. The output equals the layer-by-layer pass's to the bit. Returns the output and the
    /// number of layers run, or nil when the chain does not start at `start` (the layers then run one by one, and
    /// report any shape error themselves).
    func int8Chain(from start: Int, input: Tensor) throws -> (Tensor, Int)? {
        guard var conv = layers[start].layer as? QuantizedConv2D, conv.packed != nil, input.rank == 4,
            input.shape[1] == conv.inputChannels, start + 1 < layers.count, layers[start + 1].layer is MaxPool2D
        else { return nil }
        let (firstHeight, firstWidth) = conv.outputSize(height: input.shape[2], width: input.shape[3])
        guard firstHeight > 0, firstWidth > 0 else { return nil }
        var codes = conv.directInput(
            input, map: conv.inputQuantization ?? QuantizedDense.dynamicQuantization(of: input))
        var index = start
        while true {
            let sums = conv.sums(of: codes)
            guard index + 1 < layers.count, let pool = layers[index + 1].layer as? MaxPool2D, pool.padding == 0,
                conv.activation == .relu || conv.activation == .identity,
                sums.outputHeight >= pool.kernel, sums.outputWidth >= pool.kernel
            else { return (try conv.dequantized(sums), index + 1 - start) }
            let pooledHeight = (sums.outputHeight - pool.kernel) / pool.stride + 1
            let pooledWidth = (sums.outputWidth - pool.kernel) / pool.stride + 1
            if index + 2 < layers.count, let next = layers[index + 2].layer as? QuantizedConv2D, next.packed != nil,
                !next.widened,
                let map = next.inputQuantization, next.inputChannels == conv.outputChannels,
                next.outputSize(height: pooledHeight, width: pooledWidth).0 > 0,
                next.outputSize(height: pooledHeight, width: pooledWidth).1 > 0
            {
                var nextCodes = DirectConvolutionInput(
                    next, batch: sums.batch, height: pooledHeight, width: pooledWidth, map: map)
                let (cp, paddedHeight, paddedWidth) = (
                    nextCodes.channelsPadded, nextCodes.paddedHeight, nextCodes.paddedWidth
                )
                let (top, left) = next.padding
                let inverse = 1 / map.scale
                let channels = conv.outputChannels
                nextCodes.values.withUnsafeMutableBufferPointer { u in
                    conv.pooled(sums, window: pool.kernel, step: pool.stride) { n, y, x, values in
                        let pixel = u.baseAddress! + ((n * paddedHeight + y + top) * paddedWidth + x + left) * cp
                        for o in 0..<channels {
                            pixel[o] = UInt8(truncatingIfNeeded: Int32(map.code(values[o], inverse: inverse)) &+ 128)
                        }
                    }
                }
                codes = nextCodes
                conv = next
                index += 2
                continue
            }
            let channels = conv.outputChannels
            let output = try Tensor(shape: [sums.batch, channels, pooledHeight, pooledWidth]) { out in
                let plane = pooledHeight * pooledWidth
                conv.pooled(sums, window: pool.kernel, step: pool.stride) { n, y, x, values in
                    let pixel = out.baseAddress! + n * channels * plane + y * pooledWidth + x
                    for o in 0..<channels { pixel[o * plane] = values[o] }
                }
            }
            return (output, index + 2 - start)
        }
    }

    /// The number of layers that run in int8.
    public var quantizedLayerCount: Int {
        layers.count { $0.layer is QuantizedDense || $0.layer is QuantizedConv2D || $0.layer is QuantizedLSTM }
    }

    /// Bytes of the int8 weights and their scales, plus the Float32 parameters of the layers left in float.
    public var byteCount: Int {
        layers.reduce(0) { total, part in
            if let dense = part.layer as? QuantizedDense { return total + dense.byteCount }
            if let conv = part.layer as? QuantizedConv2D { return total + conv.byteCount }
            if let lstm = part.layer as? QuantizedLSTM { return total + lstm.byteCount }
            return total + 4 * part.layer.namedParameters.reduce(0) { $0 + $1.parameter.value.scalarCount }
        }
    }

    /// The leaves of nested `Sequential`s, named by their path (`0`, `1.0`, …).
    static func flatten(_ model: any Layer) -> [(name: String, layer: any Layer)] {
        guard let sequential = model as? Sequential else { return [(model.kind, model)] }
        return sequential.children.flatMap { child -> [(name: String, layer: any Layer)] in
            guard child.layer is Sequential else { return [child] }
            return flatten(child.layer).map { (name: child.name + "." + $0.name, layer: $0.layer) }
        }
    }
}
