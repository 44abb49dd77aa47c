// DirectConvolutionTests: the inference kernels of CFloatKernels, each variant this CPU runs, against im2col + GEMM
// (convolution) and the Swift loop (pooling).

import Testing

@testable import TensorCore

/// Every variant this CPU runs (on a CPU without AVX-512 the AVX-512 one is not listed, and cannot be forced).
private let runnableKernels = FloatKernel.allCases.filter { $0 <= FloatKernel.best }

/// The relative tolerance between the direct kernel and im2col + GEMM: both sum the same products in Float32, in a
/// different order (per tap and channel against OpenBLAS's blocking), so they differ by a few units in the last place
/// of the largest partial sums, far below 1e-4.
private let tolerance: Float = 1e-4

@Suite("Direct convolution")
struct DirectConvolutionTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var batch, channels, height, width, filters, kernel, stride: Int
        var same: Bool
        var activation: Activation
        var padding: Int { same ? kernel / 2 : 0 }
        var testDescription: String {
            "N\(batch) C\(channels) \(height)×\(width) → \(filters), \(kernel)×\(kernel) stride \(stride) "
                + "\(same ? "same" : "valid") \(activation)"
        }
    }

    /// Odd sizes; strides 1 and 2; "same" and "valid" padding; kernels 1, 3 and 5; channel counts below, at and past
    /// a multiple of 16 (the kernel's block); batch 1 and 32; every activation (ReLU fused in the kernel, the others
    /// after it); output rows of 8, 16 and 4 pixels with a partial last tile (AVX-512 reads those as rows); 3×3
    /// stride-1 layers over 9 and 12 channels with odd sides and a single row (AVX-512 takes Winograd for those and
    /// for the digits CNN's second layer at batch 32). The digits CNN's two layers are the last two.
    static let cases: [Case] = [
        Case(
            batch: 3, channels: 5, height: 7, width: 8, filters: 20, kernel: 3, stride: 1, same: true,
            activation: .identity),
        Case(
            batch: 2, channels: 4, height: 5, width: 16, filters: 17, kernel: 3, stride: 1, same: true,
            activation: .relu),
        Case(
            batch: 1, channels: 6, height: 5, width: 4, filters: 9, kernel: 1, stride: 1, same: false,
            activation: .tanh),
        Case(
            batch: 1, channels: 3, height: 7, width: 9, filters: 5, kernel: 3, stride: 1, same: true, activation: .relu),
        Case(
            batch: 32, channels: 17, height: 5, width: 6, filters: 20, kernel: 3, stride: 2, same: true,
            activation: .identity),
        Case(
            batch: 1, channels: 1, height: 9, width: 7, filters: 33, kernel: 5, stride: 1, same: false,
            activation: .relu),
        Case(
            batch: 32, channels: 3, height: 11, width: 5, filters: 7, kernel: 1, stride: 2, same: false,
            activation: .tanh),
        Case(
            batch: 2, channels: 20, height: 13, width: 19, filters: 16, kernel: 5, stride: 2, same: true,
            activation: .sigmoid),
        Case(
            batch: 3, channels: 2, height: 6, width: 37, filters: 31, kernel: 3, stride: 1, same: true,
            activation: .relu),
        Case(
            batch: 3, channels: 9, height: 7, width: 9, filters: 20, kernel: 3, stride: 1, same: true,
            activation: .identity),
        Case(
            batch: 20, channels: 12, height: 1, width: 6, filters: 7, kernel: 3, stride: 1, same: true,
            activation: .tanh),
        Case(
            batch: 32, channels: 1, height: 8, width: 8, filters: 16, kernel: 3, stride: 1, same: true,
            activation: .relu),
        Case(
            batch: 32, channels: 16, height: 4, width: 4, filters: 32, kernel: 3, stride: 1, same: true,
            activation: .relu),
    ]

    @Test(arguments: runnableKernels, cases)
    func equalsIm2colAndGEMM(kernel: FloatKernel, shape: Case) throws {
        let x = sample([shape.batch, shape.channels, shape.height, shape.width], salt: 80)
        let w = sample([shape.filters, shape.channels, shape.kernel, shape.kernel], salt: 81)
        let bias = sample([shape.filters], salt: 82)
        func convolve(_ directKernel: FloatKernel?) throws -> Tensor {
            try noGrad {
                try x.conv2d(
                    weight: w, bias: bias, stride: (shape.stride, shape.stride),
                    padding: (shape.padding, shape.padding),
                    dilation: (1, 1), groups: 1, activation: shape.activation, directKernel: directKernel)
            }
        }
        let direct = try convolve(kernel)
        let reference = try convolve(nil)
        #expect(direct.shape == reference.shape)
        #expect(!direct.requiresGradient)
        let worst =
            zip(direct.scalars, reference.scalars).map { Swift.abs($0 - $1) / Swift.max(1, Swift.abs($1)) }
            .max() ?? .nan
        #expect(worst <= tolerance, "largest relative difference \(worst)")
        // ReLU's NaN rule and zeros are the recording path's: no negative output.
        if shape.activation == .relu { #expect(direct.scalars.allSatisfy { $0 >= 0 }) }
    }

    /// Without a bias, and through the public entry point (the selected variant): the same as im2col.
    @Test func withoutBiasThroughThePublicEntryPoint() throws {
        let x = sample([4, 5, 6, 7], salt: 83)
        let w = sample([18, 5, 3, 3], salt: 84)
        let direct = try noGrad { try x.conv2d(weight: w, padding: (1, 1)) }
        let reference = try noGrad {
            try x.conv2d(
                weight: w, bias: nil, stride: (1, 1), padding: (1, 1), dilation: (1, 1), groups: 1,
                activation: .identity, directKernel: nil)
        }
        expectClose(direct, reference.scalars, tolerance: tolerance)
    }

    /// The packed filters are cached per layer; a weight changed in place (as an optimizer step does) is packed
    /// again, not served stale.
    @Test(arguments: runnableKernels)
    func weightsChangedInPlaceArePackedAgain(kernel: FloatKernel) throws {
        let x = sample([2, 3, 5, 5], salt: 85)
        var w = sample([4, 3, 3, 3], salt: 86)
        let bias = sample([4], salt: 87)
        func convolve(_ directKernel: FloatKernel?) throws -> Tensor {
            try noGrad {
                try x.conv2d(
                    weight: w, bias: bias, stride: (1, 1), padding: (1, 1), dilation: (1, 1), groups: 1,
                    activation: .identity, directKernel: directKernel)
            }
        }
        let before = try convolve(kernel)
        expectClose(before, try convolve(nil).scalars, tolerance: tolerance)
        w.withUnsafeMutableBufferPointer { scalars in
            for index in scalars.indices { scalars[index] *= -2 }
        }
        let after = try convolve(kernel)
        expectClose(after, try convolve(nil).scalars, tolerance: tolerance)
        #expect(after.scalars != before.scalars)
    }

    /// `RIGOR_FLOAT_KERNEL` names a variant as `name` spells it; anything else is ignored, and the variant chosen is
    /// never one the CPU lacks.
    @Test func variantNamesAndTheSelectedOne() {
        #expect(FloatKernel.allCases.map(\.name) == ["portable", "avx2", "avx512"])
        for kernel in FloatKernel.allCases { #expect(FloatKernel(name: kernel.name) == kernel) }
        #expect(FloatKernel(name: "AVX512") == nil && FloatKernel(name: "im2col") == nil)
        #expect(FloatKernel.selected <= FloatKernel.best)
    }

    /// Degenerate layers do not crash the kernel: no filters gives an empty result, no input channels the bias alone.
    @Test(arguments: runnableKernels)
    func noFiltersOrNoInputChannels(kernel: FloatKernel) throws {
        func convolve(_ x: Tensor, _ w: Tensor, _ bias: Tensor) throws -> Tensor {
            try noGrad {
                try x.conv2d(
                    weight: w, bias: bias, stride: (1, 1), padding: (1, 1), dilation: (1, 1), groups: 1,
                    activation: .relu, directKernel: kernel)
            }
        }
        let empty = try convolve(sample([2, 3, 5, 4], salt: 91), Tensor.zeros([0, 3, 3, 3]), Tensor.zeros([0]))
        #expect(empty.shape == [2, 0, 5, 4] && empty.scalarCount == 0)
        let bias = Tensor([-1, 0.5])
        let biasOnly = try convolve(Tensor.zeros([2, 0, 5, 4]), Tensor.zeros([2, 0, 3, 3]), bias)
        #expect(biasOnly.shape == [2, 2, 5, 4])
        #expect(
            biasOnly.scalars
                == (0..<2).flatMap { _ in [Float](repeating: 0, count: 20) + .init(repeating: 0.5, count: 20) })
    }

    /// Dilation and groups are not the direct kernel's: they take im2col, with the same results as before.
    @Test func dilationAndGroupsTakeIm2col() throws {
        let x = sample([2, 4, 7, 6], salt: 88)
        let w = sample([4, 2, 3, 3], salt: 89)
        let inference = try noGrad { try x.conv2d(weight: w, padding: (2, 2), dilation: (2, 2), groups: 2) }
        let recorded = try x.conv2d(weight: w.requiringGradient(), padding: (2, 2), dilation: (2, 2), groups: 2)
        #expect(inference.scalars == recorded.scalars)
    }
}

@Suite("Direct max pooling")
struct DirectMaxPoolingTests {
    /// The C kernel of each variant against the Swift loop, bit for bit: the same comparisons in the same order,
    /// with a NaN, −∞ and ties among the values; even and odd sides, planes narrow (8×8, 4×4: the whole-plane path)
    /// and wide.
    @Test(arguments: runnableKernels, [[32, 16, 8, 8], [32, 32, 4, 4], [3, 5, 7, 9], [2, 3, 6, 40], [1, 2, 2, 2]])
    func equalsTheSwiftLoop(kernel: FloatKernel, shape: [Int]) throws {
        var values = sample(shape, salt: 90).scalars
        values[1] = .nan
        values[values.count - 1] = .nan
        values[2] = -.infinity
        values[5] = values[4]
        let x = try Tensor(shape: shape, scalars: values)
        let direct = try noGrad {
            try x.maxPool2d(kernel: (2, 2), stride: (2, 2), padding: (0, 0), directKernel: kernel)
        }
        let loop = try noGrad { try x.maxPool2d(kernel: (2, 2), stride: (2, 2), padding: (0, 0), directKernel: nil) }
        #expect(direct.shape == [shape[0], shape[1], shape[2] / 2, shape[3] / 2])
        #expect(direct.scalars.map(\.bitPattern) == loop.scalars.map(\.bitPattern))
        #expect(direct.scalars.contains { $0.isNaN })
    }
}

@Suite("Fused convolution and max pooling")
struct FusedConvolutionPoolingTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var batch, channels, height, width, filters, kernel, stride, padding: Int
        var activation: Activation
        var testDescription: String {
            "N\(batch) C\(channels) \(height)×\(width) → \(filters), \(kernel)×\(kernel) stride \(stride) pad "
                + "\(padding) \(activation)"
        }
    }

    /// The digits CNN's two layers at batch 1 and 32 (AVX-512 reads those as rows; the second takes Winograd at batch
    /// 32); odd convolution outputs (9×8, 7×4, 7×9, 5×16, 13×11: the pooling's floor drops the last row or column);
    /// rows of 16 (pooled through the generic tile); stride 2; a 5×5 kernel; channel counts past a multiple of 16; 3×3
    /// stride-1 layers over 8 to 24 channels with enough 2×2 blocks for Winograd (one of them with a 1×1 pooled
    /// plane, one with three output rows: one pooled row); a sigmoid (not fused: the two ops).
    static let cases: [Case] = [
        Case(
            batch: 1, channels: 1, height: 8, width: 8, filters: 16, kernel: 3, stride: 1, padding: 1, activation: .relu
        ),
        Case(
            batch: 32, channels: 1, height: 8, width: 8, filters: 16, kernel: 3, stride: 1, padding: 1,
            activation: .relu),
        Case(
            batch: 1, channels: 16, height: 4, width: 4, filters: 32, kernel: 3, stride: 1, padding: 1,
            activation: .relu),
        Case(
            batch: 32, channels: 16, height: 4, width: 4, filters: 32, kernel: 3, stride: 1, padding: 1,
            activation: .relu),
        Case(
            batch: 2, channels: 3, height: 9, width: 8, filters: 10, kernel: 3, stride: 1, padding: 1,
            activation: .identity),
        Case(
            batch: 2, channels: 3, height: 7, width: 4, filters: 5, kernel: 3, stride: 1, padding: 1, activation: .relu),
        Case(
            batch: 3, channels: 5, height: 7, width: 9, filters: 20, kernel: 3, stride: 1, padding: 1,
            activation: .identity),
        Case(
            batch: 2, channels: 4, height: 5, width: 16, filters: 17, kernel: 3, stride: 1, padding: 1,
            activation: .relu),
        Case(
            batch: 3, channels: 2, height: 11, width: 13, filters: 7, kernel: 3, stride: 2, padding: 1,
            activation: .relu),
        Case(
            batch: 1, channels: 2, height: 6, width: 37, filters: 31, kernel: 5, stride: 1, padding: 2,
            activation: .identity),
        Case(
            batch: 3, channels: 9, height: 7, width: 9, filters: 20, kernel: 3, stride: 1, padding: 1,
            activation: .identity),
        Case(
            batch: 2, channels: 24, height: 13, width: 11, filters: 40, kernel: 3, stride: 1, padding: 1,
            activation: .relu),
        Case(
            batch: 16, channels: 8, height: 2, width: 2, filters: 4, kernel: 3, stride: 1, padding: 1,
            activation: .relu),
        Case(
            batch: 20, channels: 12, height: 3, width: 6, filters: 7, kernel: 3, stride: 1, padding: 1,
            activation: .identity),
        Case(
            batch: 4, channels: 3, height: 6, width: 6, filters: 5, kernel: 3, stride: 1, padding: 1,
            activation: .sigmoid),
    ]

    @Test(arguments: runnableKernels, cases)
    func equalsTheReferencePath(kernel: FloatKernel, shape: Case) throws {
        let x = sample([shape.batch, shape.channels, shape.height, shape.width], salt: 100)
        let w = sample([shape.filters, shape.channels, shape.kernel, shape.kernel], salt: 101)
        let bias = sample([shape.filters], salt: 102)
        let stride = (shape.stride, shape.stride)
        let padding = (shape.padding, shape.padding)
        // The convolution's output sides, and the pooling's floor of them.
        let outputHeight = (shape.height + 2 * shape.padding - shape.kernel) / shape.stride + 1
        let outputWidth = (shape.width + 2 * shape.padding - shape.kernel) / shape.stride + 1
        let pooledShape = [shape.batch, shape.filters, outputHeight / 2, outputWidth / 2]
        func twoOps(_ directKernel: FloatKernel?) throws -> Tensor {
            try noGrad {
                try x.conv2d(
                    weight: w, bias: bias, stride: stride, padding: padding, dilation: (1, 1), groups: 1,
                    activation: shape.activation, directKernel: directKernel
                ).maxPool2d(kernel: (2, 2), stride: (2, 2), padding: (0, 0), directKernel: directKernel)
            }
        }
        let fused = try noGrad {
            try x.conv2dMaxPooled(
                weight: w, bias: bias, stride: stride, padding: padding, activation: shape.activation,
                directKernel: kernel)
        }
        let reference = try twoOps(nil)
        #expect(fused.shape == pooledShape && reference.shape == pooledShape)
        #expect(!fused.requiresGradient)
        let worst =
            zip(fused.scalars, reference.scalars).map { Swift.abs($0 - $1) / Swift.max(1, Swift.abs($1)) }.max() ?? 0
        #expect(worst <= tolerance, "largest relative difference \(worst)")
        // Against the same kernel's convolution then its pooling: the same sums, the same comparisons, the same bits.
        #expect(fused.scalars.map(\.bitPattern) == (try twoOps(kernel)).scalars.map(\.bitPattern))
        if shape.activation == .relu { #expect(fused.scalars.allSatisfy { $0 >= 0 }) }
    }

    /// Without ReLU a NaN in the input reaches the pooling, whose rule (a NaN in a window wins) the fused kernel keeps;
    /// with ReLU it becomes 0 first, as `relu()` makes it.
    @Test(arguments: runnableKernels, [Activation.identity, .relu])
    func nanFollowsThePoolingRule(kernel: FloatKernel, activation: Activation) throws {
        var values = sample([32, 16, 4, 4], salt: 103).scalars
        values[5] = .nan
        let x = try Tensor(shape: [32, 16, 4, 4], scalars: values)
        let w = sample([32, 16, 3, 3], salt: 104)
        let fused = try noGrad {
            try x.conv2dMaxPooled(
                weight: w, bias: nil, stride: (1, 1), padding: (1, 1), activation: activation, directKernel: kernel)
        }
        let reference = try noGrad {
            try x.conv2d(
                weight: w, bias: nil, stride: (1, 1), padding: (1, 1), dilation: (1, 1), groups: 1,
                activation: activation, directKernel: nil
            ).maxPool2d(kernel: (2, 2), stride: (2, 2), padding: (0, 0), directKernel: nil)
        }
        #expect(fused.scalars.map(\.isNaN) == reference.scalars.map(\.isNaN))
        #expect(fused.scalars.contains { $0.isNaN } == (activation == .identity))
    }

    /// While a gradient is recorded the op is the two ops: the same values and the same gradients for the input, the
    /// weight and the bias.
    @Test func recordsTheTwoOpsGradients() throws {
        let x = sample([2, 3, 7, 6], salt: 105).requiringGradient()
        let w = sample([4, 3, 3, 3], salt: 106).requiringGradient()
        let bias = sample([4], salt: 107).requiringGradient()
        let fused = try x.conv2dMaxPooled(weight: w, bias: bias, padding: (1, 1), activation: .relu)
        let twoOps = try x.conv2d(weight: w, bias: bias, padding: (1, 1), activation: .relu).maxPool2d(
            kernel: (2, 2))
        #expect(fused.requiresGradient)
        #expect(fused.scalars == twoOps.scalars)
        let weighting = sample(fused.shape, salt: 108)
        let fusedGradients = try Tensor.gradients(of: (fused * weighting).sum(), withRespectTo: [x, w, bias])
        let twoOpsGradients = try Tensor.gradients(of: (twoOps * weighting).sum(), withRespectTo: [x, w, bias])
        for (a, b) in zip(fusedGradients, twoOpsGradients) { #expect(a.scalars == b.scalars) }
    }

    /// A convolution output under 2×2 is the pooling's error, as with the two ops.
    @Test func tooSmallForTheWindowThrows() throws {
        let x = sample([1, 8, 3, 3], salt: 109)
        let w = sample([4, 8, 3, 3], salt: 110)
        #expect(throws: TensorError.self) { try noGrad { try x.conv2dMaxPooled(weight: w) } }
    }
}
