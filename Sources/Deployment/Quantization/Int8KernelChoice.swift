/// Int8KernelChoice: which int8 matrix-product kernel quantized models use on this machine, for
/// `reproducibility()`.
public enum Int8KernelChoice {
    /// `"AVX-512 VNNI (C)"` or `"portable (Swift SIMD)"`; both sum the same products exactly in int32, so a
    /// quantized model gives bit-identical outputs whichever runs.
    public static var name: String { Int8GEMM.usesVNNI ? "AVX-512 VNNI (C)" : "portable (Swift SIMD)" }
}
