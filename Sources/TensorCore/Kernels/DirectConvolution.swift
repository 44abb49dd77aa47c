// DirectConvolution: conv2d and 2×2 max pooling on the inference path through CFloatKernels (no im2col), the
// variant chosen at run time, and the packed filters cached per layer.

import CFloatKernels
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The variants of the float32 inference kernels (`conv2d` and `maxPool2d` when no gradient is recorded), slowest
/// first.
///
/// `best` is the fastest this CPU runs (AVX-512F; else AVX2 with FMA; else portable C). The environment variable
/// `RIGOR_FLOAT_KERNEL` (`portable`, `avx2`, `avx512`) forces a slower one, for tests and benchmarks; a variant the
/// CPU lacks is never chosen.
public enum FloatKernel: Int, CaseIterable, Comparable, Sendable {
    case portable, avx2, avx512

    /// The fastest variant this CPU and OS run.
    public static let best = FloatKernel(rawValue: Int(rigor_float_kernel_best().rawValue)) ?? .portable

    /// The variant inference uses: ``best``, or the one `RIGOR_FLOAT_KERNEL` names if the CPU runs it.
    public static let selected: FloatKernel = {
        guard let value = getenv("RIGOR_FLOAT_KERNEL"), let forced = FloatKernel(name: String(cString: value))
        else { return best }
        return Swift.min(forced, best)
    }()

    /// The variant's name, as `RIGOR_FLOAT_KERNEL` spells it.
    public var name: String {
        switch self {
        case .portable: "portable"
        case .avx2: "avx2"
        case .avx512: "avx512"
        }
    }

    init?(name: String) {
        guard let kernel = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = kernel
    }

    public static func < (lhs: FloatKernel, rhs: FloatKernel) -> Bool { lhs.rawValue < rhs.rawValue }

    var cValue: RigorFloatKernel { RigorFloatKernel(rawValue: UInt32(rawValue)) }
}

/// The direct convolution of `conv2d` when no gradient is recorded: the input is copied once into a zero-padded
/// scratch, and `CFloatKernels` multiplies each tap's input values into tiles of 16 output pixels × 16 output
/// channels, adds the bias and applies ReLU in registers, and writes NCHW. The filters are packed for it once per
/// layer (16 output channels per row, then the bias) and kept in a small cache.
enum DirectConvolution {
    /// Whether the direct kernel computes this convolution: one group, no dilation (the layers of a CNN).
    static func handles(_ g: Convolution2DGeometry) -> Bool {
        g.groups == 1 && g.dilationY == 1 && g.dilationX == 1
    }

    static func shape(_ g: Convolution2DGeometry) -> RigorConvolutionShape {
        RigorConvolutionShape(
            batch: g.batch, channels: g.inputChannels, height: g.height, width: g.width,
            outputChannels: g.outputChannels, kernelHeight: g.kernelHeight, kernelWidth: g.kernelWidth,
            strideY: g.strideY, strideX: g.strideX, paddingY: g.paddingY, paddingX: g.paddingX,
            outputHeight: g.outputHeight, outputWidth: g.outputWidth)
    }

    /// `activation(conv(input, weight) + bias)` into `output` (NCHW), ReLU fused when `relu`, and with `pool` max
    /// pooled over 2×2 windows at stride 2 before the store (`output` then `[N, O, OH / 2, OW / 2]`); false if the
    /// kernel could not allocate its offset table (the caller then takes the im2col path).
    static func convolve(
        _ input: Tensor, weight: Tensor, bias: Tensor?, geometry g: Convolution2DGeometry, relu: Bool,
        pool: Bool = false, kernel: FloatKernel, into output: TensorStorage
    ) throws(TensorError) -> Bool {
        var shape = shape(g)
        let filters = packedFilters(weight: weight, bias: bias, shape: shape)
        let scratch = try TensorStorage.allocate(
            count: rigor_float_conv_scratch_count(&shape), operation: "conv2d",
            shapes: [input.shape, weight.shape])
        return rigor_float_conv(
            kernel.cValue, &shape, input.storage.pointer, filters.packed, scratch.pointer, output.pointer, relu, pool)
    }

    /// A layer's filters and bias in the kernel's order, with the scalars they were packed from (to recognise them).
    final class PackedFilters: @unchecked Sendable {
        // Written once in `init`, only read afterwards.
        let weights: [Float]
        let bias: [Float]?
        let packed: UnsafeMutablePointer<Float>
        let shape: RigorConvolutionShape

        init(weight: Tensor, bias: Tensor?, shape: RigorConvolutionShape) {
            self.shape = shape
            var shape = shape
            weights = weight.scalars
            self.bias = bias?.scalars
            let count = rigor_float_conv_packed_count(&shape)
            packed = UnsafeMutableRawPointer.allocate(
                byteCount: count * MemoryLayout<Float>.stride, alignment: TensorStorage.alignment
            ).bindMemory(to: Float.self, capacity: count)
            rigor_float_conv_pack(&shape, weight.storage.pointer, bias?.storage.pointer, packed)
        }

        deinit { packed.deallocate() }

        /// The bytes this entry holds: the scalars it was packed from and the packed ones.
        var byteCount: Int {
            var shape = shape
            return 4 * (weights.count + (bias?.count ?? 0) + rigor_float_conv_packed_count(&shape))
        }

        /// Whether `weight` and `bias` hold, bit for bit, the scalars these were packed from.
        func matches(weight: Tensor, bias: Tensor?) -> Bool {
            func same(_ stored: [Float], _ tensor: Tensor) -> Bool {
                guard stored.count == tensor.scalarCount else { return false }
                return stored.withUnsafeBytes { bytes in
                    guard let base = bytes.baseAddress else { return true }  // no scalars (0 filters or channels)
                    return memcmp(base, tensor.storage.pointer, bytes.count) == 0
                }
            }
            guard same(weights, weight) else { return false }
            switch (self.bias, bias) {
            case (nil, nil): return true
            case (let stored?, let bias?): return same(stored, bias)
            default: return false
            }
        }
    }

    /// Where the weight and the bias live (0: no bias), the filters' extents, and the strides (stride 1 with 3×3
    /// filters packs a Winograd copy too).
    private struct Key: Hashable {
        var weight, bias: Int
        var outputChannels, channels, kernelHeight, kernelWidth, strideY, strideX: Int
    }

    /// Packed filters by where the weight and bias live and their shape, each checked against the scalars before
    /// use: a parameter updated in place (an optimizer step) or a new tensor at a reused address is packed again.
    /// Comparing 4,608 scalars (the digits CNN's second layer) costs a tenth of packing them.
    /// The cache holds at most 64 layers and 32 MiB (a copy and a packed copy of each); a larger layer is packed at
    /// every call.
    private static let cache = Mutex<(entries: [Key: PackedFilters], bytes: Int)>(([:], 0))
    private static let cacheLimit = (entries: 64, bytes: 32 << 20)

    static func packedFilters(weight: Tensor, bias: Tensor?, shape: RigorConvolutionShape) -> PackedFilters {
        let key = Key(
            weight: Int(bitPattern: weight.storage.pointer),
            bias: bias.map { Int(bitPattern: $0.storage.pointer) } ?? 0, outputChannels: shape.outputChannels,
            channels: shape.channels, kernelHeight: shape.kernelHeight, kernelWidth: shape.kernelWidth,
            strideY: shape.strideY, strideX: shape.strideX)
        if let filters = cache.withLock({ $0.entries[key] }), filters.matches(weight: weight, bias: bias) {
            return filters
        }
        let filters = PackedFilters(weight: weight, bias: bias, shape: shape)
        let bytes = filters.byteCount
        guard bytes <= cacheLimit.bytes else { return filters }
        cache.withLock { cache in
            if cache.entries.count >= cacheLimit.entries || cache.bytes + bytes > cacheLimit.bytes {
                cache = ([:], 0)
            }
            cache.bytes += bytes - (cache.entries[key].map { $0.byteCount } ?? 0)
            cache.entries[key] = filters
        }
        return filters
    }
}
