// Tensor+Pooling: 2-D max and average pooling over NCHW tensors.

import CFloatKernels

/// The sizes of one 2-D pooling, saved for the backward pass.
struct Pooling2DGeometry: Sendable, Equatable {
    var batch, channels, height, width: Int
    var kernelHeight, kernelWidth, strideY, strideX, paddingY, paddingX: Int
    var outputHeight, outputWidth: Int
}

extension Tensor {
    private func poolingGeometry(
        _ name: String, kernel: (Int, Int), stride: (Int, Int)?, padding: (Int, Int)
    ) throws(TensorError) -> Pooling2DGeometry {
        guard rank == 4 else { throw TensorError(name, shapes: [shape], "input must be [N, C, H, W]") }
        let stride = stride ?? kernel
        guard kernel.0 >= 1, kernel.1 >= 1, stride.0 >= 1, stride.1 >= 1, padding.0 >= 0, padding.1 >= 0,
            padding.0 <= kernel.0 / 2, padding.1 <= kernel.1 / 2
        else {
            throw TensorError(name, shapes: [shape], "kernel and stride must be ≥ 1, padding at most half the kernel")
        }
        let spanY = shape[2] - (kernel.0 - 2 * padding.0)
        let spanX = shape[3] - (kernel.1 - 2 * padding.1)
        guard spanY >= 0 && spanX >= 0 else {
            throw TensorError(name, shapes: [shape], "the \(kernel.0)×\(kernel.1) window does not fit the input")
        }
        let outputHeight = spanY / stride.0 + 1
        let outputWidth = spanX / stride.1 + 1
        return Pooling2DGeometry(
            batch: shape[0], channels: shape[1], height: shape[2], width: shape[3], kernelHeight: kernel.0,
            kernelWidth: kernel.1, strideY: stride.0, strideX: stride.1, paddingY: padding.0, paddingX: padding.1,
            outputHeight: outputHeight, outputWidth: outputWidth)
    }

    /// The maximum of each `kh × kw` window (stride defaults to the kernel; padding counts as −∞).
    ///
    /// - Shape: `[N, C, H, W] → [N, C, OH, OW]`, `OH = (H + 2·padding − kh) / stride + 1`.
    /// - Gradient: routed to the position of each window's maximum (the first on ties).
    /// - Inference: when no gradient is recorded, the 2×2 window at stride 2 without padding runs the vectorized
    ///   kernel of `CFloatKernels` on AVX-512 (``FloatKernel/selected``).
    public func maxPool2d(
        kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0)
    )
        throws(TensorError) -> Tensor
    {
        try maxPool2d(kernel: kernel, stride: stride, padding: padding, directKernel: FloatKernel.selected)
    }

    /// ``maxPool2d(kernel:stride:padding:)`` with the inference kernel named (nil: the Swift loops).
    func maxPool2d(
        kernel: (Int, Int), stride: (Int, Int)?, padding: (Int, Int), directKernel: FloatKernel?
    ) throws(TensorError) -> Tensor {
        let g = try poolingGeometry("maxPool2d", kernel: kernel, stride: stride, padding: padding)
        let outputShape = [g.batch, g.channels, g.outputHeight, g.outputWidth]
        let output = TensorStorage(uninitializedCount: Self.count(of: outputShape))
        guard node != nil && EngineContext.current.isRecordingGradients else {
            // No gradient will be asked for: the maxima alone, without the index of each (inference).
            PoolingKernel.maximum(storage.pointer, output.pointer, g, kernel: directKernel)
            return Tensor(
                result: output, shape: outputShape, operation: .maxPool2d(g, argmax: []), inputs: [self],
                tracked: false)
        }
        var argmax = [Int32](repeating: -1, count: output.count)
        let plane = g.height * g.width
        var position = 0
        for image in 0..<(g.batch * g.channels) {
            let source = storage.pointer + image * plane
            for y in 0..<g.outputHeight {
                for x in 0..<g.outputWidth {
                    var best = -Float.infinity
                    var bestIndex: Int32 = -1
                    for i in 0..<g.kernelHeight {
                        let inputY = y * g.strideY + i - g.paddingY
                        guard inputY >= 0 && inputY < g.height else { continue }
                        for j in 0..<g.kernelWidth {
                            let inputX = x * g.strideX + j - g.paddingX
                            guard inputX >= 0 && inputX < g.width else { continue }
                            let value = source[inputY * g.width + inputX]
                            if value > best || bestIndex < 0 || value.isNaN {
                                best = value
                                bestIndex = Int32(inputY * g.width + inputX)
                            }
                        }
                    }
                    output.pointer[position] = best
                    argmax[position] = bestIndex
                    position += 1
                }
            }
        }
        return Tensor(result: output, shape: outputShape, operation: .maxPool2d(g, argmax: argmax), inputs: [self])
    }

    /// The mean of each `kh × kw` window, padding included in the count (PyTorch's default).
    ///
    /// - Shape: as ``maxPool2d(kernel:stride:padding:)``. - Gradient: `g / (kh·kw)` to every window position.
    public func avgPool2d(
        kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0)
    )
        throws(TensorError) -> Tensor
    {
        let g = try poolingGeometry("avgPool2d", kernel: kernel, stride: stride, padding: padding)
        let outputShape = [g.batch, g.channels, g.outputHeight, g.outputWidth]
        let output = TensorStorage(repeating: 0, count: Self.count(of: outputShape))
        Self.forEachWindowEntry(g) { outputIndex, inputIndex in
            output.pointer[outputIndex] += storage.pointer[inputIndex]
        }
        let scale = 1 / Float(g.kernelHeight * g.kernelWidth)
        for index in 0..<output.count { output.pointer[index] *= scale }
        return Tensor(result: output, shape: outputShape, operation: .avgPool2d(g), inputs: [self])
    }

    static func maxPool2dGradient(_ g: Pooling2DGeometry, argmax: [Int32], gradient: Tensor) -> Tensor {
        let result = filled([g.batch, g.channels, g.height, g.width], with: 0)
        let plane = g.height * g.width
        let pixels = g.outputHeight * g.outputWidth
        for position in 0..<argmax.count where argmax[position] >= 0 {
            result.storage.pointer[(position / pixels) * plane + Int(argmax[position])] +=
                gradient.storage.pointer[position]
        }
        return result
    }

    static func avgPool2dGradient(_ g: Pooling2DGeometry, gradient: Tensor) -> Tensor {
        let result = filled([g.batch, g.channels, g.height, g.width], with: 0)
        let scale = 1 / Float(g.kernelHeight * g.kernelWidth)
        forEachWindowEntry(g) { outputIndex, inputIndex in
            result.storage.pointer[inputIndex] += gradient.storage.pointer[outputIndex] * scale
        }
        return result
    }

    /// Calls `body(outputIndex, inputIndex)` for every in-bounds input position of every window.
    @inline(__always)
    private static func forEachWindowEntry(_ g: Pooling2DGeometry, _ body: (Int, Int) -> Void) {
        let plane = g.height * g.width
        var outputIndex = 0
        for image in 0..<(g.batch * g.channels) {
            for y in 0..<g.outputHeight {
                for x in 0..<g.outputWidth {
                    for i in 0..<g.kernelHeight {
                        let inputY = y * g.strideY + i - g.paddingY
                        guard inputY >= 0 && inputY < g.height else { continue }
                        for j in 0..<g.kernelWidth {
                            let inputX = x * g.strideX + j - g.paddingX
                            guard inputX >= 0 && inputX < g.width else { continue }
                            body(outputIndex, image * plane + inputY * g.width + inputX)
                        }
                    }
                    outputIndex += 1
                }
            }
        }
    }
}

/// The forward kernels of pooling when no gradient is recorded.
enum PoolingKernel {
    /// The larger of a window's running maximum and a new value; a NaN wins, as in the recording path.
    @inline(__always)
    static func larger(_ best: Float, _ value: Float) -> Float {
        // Two selects, no branch (`||` would branch, and the comparison of random values mispredicts half the time).
        let maximum = value > best ? value : best
        return value != value ? value : maximum
    }

    /// `output[n, c, y, x]` = the maximum of the window, without recording where it was. The common 2×2 window at
    /// stride 2 without padding has its own loop (four loads, three comparisons per output); other geometries take
    /// the general one.
    /// With `kernel` set, that window goes to `CFloatKernels` (the same order of comparisons, so the same result
    /// bit for bit); it vectorizes on AVX-512 and is this loop in C otherwise.
    static func maximum(
        _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, _ g: Pooling2DGeometry,
        kernel: FloatKernel?
    ) {
        let plane = g.height * g.width
        let outputPlane = g.outputHeight * g.outputWidth
        let planes = g.batch * g.channels
        if g.kernelHeight == 2, g.kernelWidth == 2, g.strideY == 2, g.strideX == 2, g.paddingY == 0, g.paddingX == 0 {
            if let kernel {
                rigor_float_max_pool_2x2(kernel.cValue, input, output, planes, g.height, g.width)
                return
            }
            for image in 0..<planes {
                let source = input + image * plane
                let destination = output + image * outputPlane
                for y in 0..<g.outputHeight {
                    let top = source + 2 * y * g.width
                    let bottom = top + g.width
                    let row = destination + y * g.outputWidth
                    for x in 0..<g.outputWidth {
                        let left = larger(top[2 * x], top[2 * x + 1])
                        row[x] = larger(larger(left, bottom[2 * x]), bottom[2 * x + 1])
                    }
                }
            }
            return
        }
        var position = 0
        for image in 0..<planes {
            let source = input + image * plane
            for y in 0..<g.outputHeight {
                let firstY = Swift.max(y * g.strideY - g.paddingY, 0)
                let endY = Swift.min(y * g.strideY - g.paddingY + g.kernelHeight, g.height)
                for x in 0..<g.outputWidth {
                    let firstX = Swift.max(x * g.strideX - g.paddingX, 0)
                    let endX = Swift.min(x * g.strideX - g.paddingX + g.kernelWidth, g.width)
                    // Padding is at most half the kernel, so every window holds at least one input value.
                    var best = source[firstY * g.width + firstX]
                    for inputY in firstY..<endY {
                        for inputX in firstX..<endX { best = larger(best, source[inputY * g.width + inputX]) }
                    }
                    output[position] = best
                    position += 1
                }
            }
        }
    }
}
