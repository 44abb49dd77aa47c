// Tensor+Convolution: 2-D convolution (stride, padding, dilation, groups) as im2col + one GEMM per group, or for
// inference the direct kernel (Kernels/DirectConvolution.swift).

import Synchronization

/// The sizes of one 2-D convolution, computed once and saved for the backward pass.
struct Convolution2DGeometry: Sendable, Hashable {
    var batch, inputChannels, height, width: Int
    var outputChannels, kernelHeight, kernelWidth: Int
    var strideY, strideX, paddingY, paddingX, dilationY, dilationX, groups: Int
    var outputHeight, outputWidth: Int

    var channelsPerGroup: Int { inputChannels / groups }
    var outputsPerGroup: Int { outputChannels / groups }
    /// Rows of one group's column matrix: `channelsPerGroup · kernelHeight · kernelWidth`.
    var patchSize: Int { channelsPerGroup * kernelHeight * kernelWidth }
    /// Columns of the column matrix: one per output pixel of every image.
    var columnCount: Int { batch * outputHeight * outputWidth }
}

extension Tensor {
    /// 2-D cross-correlation (what deep-learning libraries call convolution), NCHW layout.
    ///
    /// `out[n, o, y, x] = bias[o] + Σ_{c, i, j} weight[o, c, i, j] ·
    /// input[n, g·C/G + c, y·stride + i·dilation − padding, x·stride + j·dilation − padding]`, zero outside.
    /// Computed by unrolling input patches into a `[C/G·kh·kw, N·OH·OW]` matrix per group (im2col) and one
    /// `cblas_sgemm` per group.
    ///
    /// - Shape: input `[N, C, H, W]`, weight `[O, C/groups, kh, kw]`, bias `[O]` → `[N, O, OH, OW]` with
    ///   `OH = (H + 2·padding − dilation·(kh − 1) − 1) / stride + 1` (likewise `OW`).
    /// - Gradient: `dW = dOut · colsᵀ`, `dCols = Wᵀ · dOut` folded back (col2im), `dBias = Σ dOut`.
    /// - Activation: `activation` is applied to the result. When no gradient is recorded (no operand requires one,
    ///   or inside `noGrad`) it is fused into the pass that adds the bias and reorders the product, and the column
    ///   matrix is not kept; otherwise it is a separate op of the graph, as `conv2d(...).relu()` would be.
    /// - Inference: when no gradient is recorded, a convolution with one group and no dilation runs the direct
    ///   kernel of `CFloatKernels` (no im2col; bias and ReLU fused; the variant is ``FloatKernel/selected``).
    public func conv2d(
        weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
        dilation: (Int, Int) = (1, 1), groups: Int = 1, activation: Activation = .identity
    ) throws(TensorError) -> Tensor {
        try conv2d(
            weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups,
            activation: activation, directKernel: FloatKernel.selected)
    }

    /// ``conv2d(weight:bias:stride:padding:dilation:groups:activation:)`` followed by
    /// ``maxPool2d(kernel:stride:padding:)`` over 2×2 windows at stride 2: a CNN's convolution → pooling pair as one op.
    ///
    /// - Shape: input `[N, C, H, W]`, weight `[O, C, kh, kw]`, bias `[O]` → `[N, O, OH / 2, OW / 2]` with `OH`, `OW`
    ///   the convolution's (floor: an odd last row or column is dropped, as the pooling does).
    /// - Gradient: the two ops', recorded one after the other.
    /// - Inference: when no gradient is recorded and `activation` is identity or ReLU, the direct kernel pools in
    ///   registers (convolution, bias, activation, pooling, one store of the pooled values): the unpooled output is
    ///   never written. Its values are the two ops' bit for bit on the direct kernel (the same sums, and the pooling's
    ///   comparisons in the same order). Otherwise, and while recording, it is the two ops.
    public func conv2dMaxPooled(
        weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
        activation: Activation = .identity
    ) throws(TensorError) -> Tensor {
        try conv2dMaxPooled(
            weight: weight, bias: bias, stride: stride, padding: padding, activation: activation,
            directKernel: FloatKernel.selected)
    }

    /// ``conv2dMaxPooled(weight:bias:stride:padding:activation:)`` with the inference kernel named (nil: the two ops
    /// on their reference paths, im2col + GEMM and the Swift pooling loop).
    func conv2dMaxPooled(
        weight: Tensor, bias: Tensor?, stride: (Int, Int), padding: (Int, Int), activation: Activation,
        directKernel: FloatKernel?
    ) throws(TensorError) -> Tensor {
        let tracked =
            (node != nil || weight.node != nil || bias?.node != nil) && EngineContext.current.isRecordingGradients
        if !tracked, let directKernel, activation == .identity || activation == .relu {
            let g = try convolutionGeometry(
                weight: weight, bias: bias, stride: stride, padding: padding, dilation: (1, 1), groups: 1)
            // A plane under 2×2 is the pooling's error, raised by the two ops below.
            if DirectConvolution.handles(g), g.outputHeight >= 2, g.outputWidth >= 2 {
                let pooled = Pooling2DGeometry(
                    batch: g.batch, channels: g.outputChannels, height: g.outputHeight, width: g.outputWidth,
                    kernelHeight: 2, kernelWidth: 2, strideY: 2, strideX: 2, paddingY: 0, paddingX: 0,
                    outputHeight: g.outputHeight / 2, outputWidth: g.outputWidth / 2)
                let outputShape = [g.batch, g.outputChannels, pooled.outputHeight, pooled.outputWidth]
                let output = TensorStorage(uninitializedCount: Self.count(of: outputShape))
                if try DirectConvolution.convolve(
                    self, weight: weight, bias: bias, geometry: g, relu: activation == .relu, pool: true,
                    kernel: directKernel, into: output)
                {
                    return Tensor(
                        result: output, shape: outputShape, operation: .maxPool2d(pooled, argmax: []),
                        inputs: [self, weight] + (bias.map { [$0] } ?? []), tracked: false)
                }
            }
        }
        return try conv2d(
            weight: weight, bias: bias, stride: stride, padding: padding, dilation: (1, 1), groups: 1,
            activation: activation, directKernel: directKernel
        ).maxPool2d(kernel: (2, 2), stride: (2, 2), padding: (0, 0), directKernel: directKernel)
    }

    /// ``conv2d(weight:bias:stride:padding:dilation:groups:activation:)`` with the inference path's kernel named:
    /// `directKernel` nil takes im2col + GEMM even when no gradient is recorded (what tests compare against).
    func conv2d(
        weight: Tensor, bias: Tensor?, stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int), groups: Int,
        activation: Activation, directKernel: FloatKernel?
    ) throws(TensorError) -> Tensor {
        let geometry = try convolutionGeometry(
            weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
        let (outputHeight, outputWidth) = (geometry.outputHeight, geometry.outputWidth)
        let tracked =
            (node != nil || weight.node != nil || bias?.node != nil) && EngineContext.current.isRecordingGradients
        let planePixels = outputHeight * outputWidth
        let outputShape = [geometry.batch, geometry.outputChannels, outputHeight, outputWidth]
        if !tracked, let directKernel, DirectConvolution.handles(geometry) {
            let output = TensorStorage(uninitializedCount: Self.count(of: outputShape))
            if try DirectConvolution.convolve(
                self, weight: weight, bias: bias, geometry: geometry, relu: activation == .relu, kernel: directKernel,
                into: output)
            {
                switch activation {
                case .identity, .relu: break
                case .sigmoid: VectorMath.map(output.pointer, output.pointer, count: output.count, VectorMath.sigmoid)
                case .tanh: VectorMath.map(output.pointer, output.pointer, count: output.count, VectorMath.tanh)
                }
                // No column matrix: nothing will ask for this result's gradient.
                return Tensor(
                    result: output, shape: outputShape,
                    operation: .conv2d(geometry, columns: Tensor(shape: [0], storage: TensorStorage([]))),
                    inputs: [self, weight] + (bias.map { [$0] } ?? []), tracked: false)
            }
        }
        let columns = TensorStorage(uninitializedCount: groups * geometry.patchSize * geometry.columnCount)
        ConvolutionKernel.im2col(storage.pointer, columns.pointer, geometry)
        // One GEMM per group into [O, N·OH·OW], then reorder to [N, O, OH·OW] adding the bias.
        let product = TensorStorage(uninitializedCount: geometry.outputChannels * geometry.columnCount)
        for group in 0..<groups {
            Self.gemm(
                weight.storage.pointer + group * geometry.outputsPerGroup * geometry.patchSize,
                columns.pointer + group * geometry.patchSize * geometry.columnCount,
                product.pointer + group * geometry.outputsPerGroup * geometry.columnCount,
                m: geometry.outputsPerGroup, n: geometry.columnCount, k: geometry.patchSize,
                transposeA: false, transposeB: false)
        }
        let output = TensorStorage(uninitializedCount: Self.count(of: outputShape))
        let fused = tracked ? Activation.identity : activation
        for n in 0..<geometry.batch {
            for o in 0..<geometry.outputChannels {
                let source = product.pointer + o * geometry.columnCount + n * planePixels
                let destination = output.pointer + (n * geometry.outputChannels + o) * planePixels
                let offset = bias?.storage.pointer[o] ?? 0
                if fused == .relu {
                    // `relu()`'s own expression, so that NaN maps the same way (to 0).
                    for p in 0..<planePixels {
                        let y = source[p] + offset
                        destination[p] = y > 0 ? y : 0
                    }
                } else {
                    for p in 0..<planePixels { destination[p] = source[p] + offset }
                }
            }
        }
        switch fused {
        case .identity, .relu: break
        case .sigmoid: VectorMath.map(output.pointer, output.pointer, count: output.count, VectorMath.sigmoid)
        case .tanh: VectorMath.map(output.pointer, output.pointer, count: output.count, VectorMath.tanh)
        }
        let saved = Tensor(shape: [columns.count], storage: columns)
        guard tracked else {
            return Tensor(
                result: output, shape: outputShape, operation: .conv2d(geometry, columns: saved),
                inputs: [self, weight] + (bias.map { [$0] } ?? []), tracked: false)
        }
        let result = Tensor(
            result: output, shape: outputShape, operation: .conv2d(geometry, columns: saved),
            inputs: [self, weight] + (bias.map { [$0] } ?? []), tracked: true)
        switch activation {
        case .identity: return result
        case .relu: return result.relu()
        case .sigmoid: return result.sigmoid()
        case .tanh: return result.tanh()
        }
    }

    /// The sizes of `conv2d(weight:bias:stride:padding:dilation:groups:)` on this input, after checking the operands
    /// and that the im2col workspace fits the ``MemoryBudget``.
    func convolutionGeometry(
        weight: Tensor, bias: Tensor?, stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int), groups: Int
    ) throws(TensorError) -> Convolution2DGeometry {
        let shapes = [shape, weight.shape] + (bias.map { [$0.shape] } ?? [])
        guard rank == 4 && weight.rank == 4 else {
            throw TensorError("conv2d", shapes: shapes, "input must be [N, C, H, W] and weight [O, C/groups, kh, kw]")
        }
        guard groups >= 1, shape[1] % groups == 0, weight.shape[0] % groups == 0,
            weight.shape[1] * groups == shape[1]
        else {
            throw TensorError(
                "conv2d", shapes: shapes,
                "\(shape[1]) input channels and \(weight.shape[0]) filters of \(weight.shape[1]) channels "
                    + "do not fit \(groups) group(s)")
        }
        guard stride.0 >= 1, stride.1 >= 1, dilation.0 >= 1, dilation.1 >= 1, padding.0 >= 0, padding.1 >= 0 else {
            throw TensorError("conv2d", shapes: shapes, "stride and dilation must be ≥ 1 and padding ≥ 0")
        }
        if let bias, bias.shape != [weight.shape[0]] {
            throw TensorError("conv2d", shapes: shapes, "bias must have shape [\(weight.shape[0])]")
        }
        // Padding and dilation are the caller's: a span too large for Int is a memory error, not a trap.
        func span(_ extent: Int, _ padding: Int, _ dilation: Int, _ kernel: Int) -> Double {
            let padded: Double = Double(extent) + 2 * Double(padding)
            return padded - Double(dilation) * Double(kernel - 1) - 1
        }
        let spans = [
            span(shape[2], padding.0, dilation.0, weight.shape[2]),
            span(shape[3], padding.1, dilation.1, weight.shape[3]),
        ]
        guard spans.allSatisfy({ Swift.abs($0) < 9e18 }) else {
            try MemoryBudget.check(count: nil, operation: "conv2d", shapes: shapes)
            // Not reached: the check throws for an overflowing count.
            throw TensorError("conv2d", shapes: shapes, "the padded input is too large")
        }
        let spanY = Int(spans[0]), spanX = Int(spans[1])
        guard spanY >= 0 && spanX >= 0 else {
            throw TensorError("conv2d", shapes: shapes, "the kernel does not fit the padded input")
        }
        let outputHeight = spanY / stride.0 + 1
        let outputWidth = spanX / stride.1 + 1
        // The im2col matrix [C·kh·kw, N·OH·OW], the GEMM's product and the result, allocated together.
        let pixels = [shape[0], outputHeight, outputWidth]
        let columnCount = MemoryBudget.scalarCount(of: [shape[1], weight.shape[2], weight.shape[3]] + pixels)
        let outputCount = MemoryBudget.scalarCount(of: [weight.shape[0]] + pixels)
        let workspace = columnCount.flatMap { columns in
            outputCount.flatMap { output in
                let (sum, overflow) = columns.addingReportingOverflow(output &* 2)
                return overflow || output > Int.max / 2 ? nil : sum
            }
        }
        try MemoryBudget.check(count: workspace, operation: "conv2d", shapes: shapes)
        let geometry = Convolution2DGeometry(
            batch: shape[0], inputChannels: shape[1], height: shape[2], width: shape[3],
            outputChannels: weight.shape[0], kernelHeight: weight.shape[2], kernelWidth: weight.shape[3],
            strideY: stride.0, strideX: stride.1, paddingY: padding.0, paddingX: padding.1,
            dilationY: dilation.0, dilationX: dilation.1, groups: groups,
            outputHeight: outputHeight, outputWidth: outputWidth)
        return geometry
    }

    static func conv2dGradients(
        _ geometry: Convolution2DGeometry, inputs: [Tensor], columns: Tensor, gradient g: Tensor, needed: [Bool]
    ) throws(TensorError) -> [Tensor?] {
        let weight = inputs[1]
        let pixels = geometry.outputHeight * geometry.outputWidth
        // dOut as [O, N·OH·OW], the layout of the forward product.
        let reordered = TensorStorage(uninitializedCount: geometry.outputChannels * geometry.columnCount)
        for n in 0..<geometry.batch {
            for o in 0..<geometry.outputChannels {
                (reordered.pointer + o * geometry.columnCount + n * pixels).update(
                    from: g.storage.pointer + (n * geometry.outputChannels + o) * pixels, count: pixels)
            }
        }
        var gradientInput: Tensor?
        if needed[0] {
            let columnGradient = TensorStorage(
                uninitializedCount: geometry.groups * geometry.patchSize * geometry.columnCount)
            for group in 0..<geometry.groups {
                gemm(
                    weight.storage.pointer + group * geometry.outputsPerGroup * geometry.patchSize,
                    reordered.pointer + group * geometry.outputsPerGroup * geometry.columnCount,
                    columnGradient.pointer + group * geometry.patchSize * geometry.columnCount,
                    m: geometry.patchSize, n: geometry.columnCount, k: geometry.outputsPerGroup,
                    transposeA: true, transposeB: false)
            }
            let result = filled(inputs[0].shape, with: 0)
            ConvolutionKernel.col2im(columnGradient.pointer, result.storage.pointer, geometry)
            gradientInput = result
        }
        var gradientWeight: Tensor?
        if needed[1] {
            let result = TensorStorage(uninitializedCount: weight.scalarCount)
            for group in 0..<geometry.groups {
                gemm(
                    reordered.pointer + group * geometry.outputsPerGroup * geometry.columnCount,
                    columns.storage.pointer + group * geometry.patchSize * geometry.columnCount,
                    result.pointer + group * geometry.outputsPerGroup * geometry.patchSize,
                    m: geometry.outputsPerGroup, n: geometry.patchSize, k: geometry.columnCount,
                    transposeA: false, transposeB: true)
            }
            gradientWeight = Tensor(shape: weight.shape, storage: result)
        }
        var gradients: [Tensor?] = [gradientInput, gradientWeight]
        if inputs.count == 3 {
            let result = TensorStorage(uninitializedCount: geometry.outputChannels)
            ReductionKernel.sum(
                reordered.pointer, result.pointer, outer: geometry.outputChannels, n: geometry.columnCount, inner: 1)
            gradients.append(needed[2] ? Tensor(shape: [geometry.outputChannels], storage: result) : nil)
        }
        return gradients
    }
}

/// The patch unrolling behind `conv2d` and its transpose.
///
/// Row `r = (channel·kh + i)·kw + j` of the stacked column matrices holds, for every image `n` and output pixel
/// `p = (y, x)`, the input value under kernel tap `(i, j)`: `input[n, channel, y·sy + i·dy − py, x·sx + j·dx − px]`,
/// or 0 in the padding. Where that value sits inside one image does not depend on `n`, so a small table of offsets
/// (`rows × OH·OW`, −1 for padding) is computed once per call and the copy becomes a tight gather per image: small
/// images (8×8 digits) would otherwise spend their time on loop bookkeeping per 4-pixel row.
enum ConvolutionKernel {
    /// `table[r · OH·OW + p]`: the offset of tap `r` for output pixel `p` within one image (all channels), or −1.
    static func offsetTable(_ g: Convolution2DGeometry) -> [Int32] {
        let plane = g.height * g.width
        let pixels = g.outputHeight * g.outputWidth
        var table = [Int32](repeating: -1, count: g.inputChannels * g.kernelHeight * g.kernelWidth * pixels)
        var position = 0
        for channel in 0..<g.inputChannels {
            for i in 0..<g.kernelHeight {
                for j in 0..<g.kernelWidth {
                    for y in 0..<g.outputHeight {
                        let inputY = y * g.strideY + i * g.dilationY - g.paddingY
                        for x in 0..<g.outputWidth {
                            let inputX = x * g.strideX + j * g.dilationX - g.paddingX
                            if inputY >= 0 && inputY < g.height && inputX >= 0 && inputX < g.width {
                                table[position] = Int32(channel * plane + inputY * g.width + inputX)
                            }
                            position += 1
                        }
                    }
                }
            }
        }
        return table
    }

    /// Recent offset tables by geometry (the batch set to 0: the table does not depend on it). A model's layers ask
    /// for the same few tables at every call; building one costs as much as unfolding one image, the whole im2col at
    /// batch 1.
    private static let tables = Mutex<[Convolution2DGeometry: [Int32]]>([:])
    private static let cachedTableLimit = 64

    static func cachedOffsetTable(_ g: Convolution2DGeometry) -> [Int32] {
        var key = g
        key.batch = 0
        if let table = tables.withLock({ $0[key] }) { return table }
        let table = offsetTable(g)
        tables.withLock { tables in
            if tables.count >= cachedTableLimit { tables.removeAll() }
            tables[key] = table
        }
        return table
    }

    static func im2col(
        _ input: UnsafePointer<Float>, _ columns: UnsafeMutablePointer<Float>, _ g: Convolution2DGeometry
    ) {
        let table = cachedOffsetTable(g)
        let pixels = g.outputHeight * g.outputWidth
        let image = g.inputChannels * g.height * g.width
        let rows = g.inputChannels * g.kernelHeight * g.kernelWidth
        table.withUnsafeBufferPointer { table in
            for row in 0..<rows {
                let offsets = table.baseAddress! + row * pixels
                for n in 0..<g.batch {
                    let source = input + n * image
                    let destination = columns + row * g.columnCount + n * pixels
                    for p in 0..<pixels {
                        // A load from the clamped offset and a select: no branch on the padding.
                        let offset = Int(offsets[p])
                        let value = source[Swift.max(offset, 0)]
                        destination[p] = offset >= 0 ? value : 0
                    }
                }
            }
        }
    }

    /// The transpose of `im2col`: adds every column entry back onto its input pixel.
    static func col2im(
        _ columns: UnsafePointer<Float>, _ input: UnsafeMutablePointer<Float>, _ g: Convolution2DGeometry
    ) {
        let table = cachedOffsetTable(g)
        let pixels = g.outputHeight * g.outputWidth
        let image = g.inputChannels * g.height * g.width
        let rows = g.inputChannels * g.kernelHeight * g.kernelWidth
        table.withUnsafeBufferPointer { table in
            for row in 0..<rows {
                let offsets = table.baseAddress! + row * pixels
                for n in 0..<g.batch {
                    let destination = input + n * image
                    let source = columns + row * g.columnCount + n * pixels
                    for p in 0..<pixels {
                        let offset = Int(offsets[p])
                        if offset >= 0 { destination[offset] += source[p] }
                    }
                }
            }
        }
    }
}
