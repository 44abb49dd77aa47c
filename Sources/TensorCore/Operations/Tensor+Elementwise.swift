// Tensor+Elementwise: unary elementwise ops and activations.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension Tensor {
    @inline(__always)
    private func unary(_ operation: @autoclosure () -> Operation, _ f: (Float) -> Float) -> Tensor {
        Tensor(
            result: ElementwiseKernel.map(storage, f), shape: shape, operation: operation(), inputs: [self],
            tracked: node != nil)
    }

    /// `−x`. - Shape: unchanged.
    public static prefix func - (x: Tensor) -> Tensor { x.unary(.negate) { -$0 } }

    /// `|x|`; the gradient at 0 is 0. - Shape: unchanged.
    public func abs() -> Tensor { unary(.absolute) { Swift.abs($0) } }

    /// `eˣ`. - Shape: unchanged. - Gradient: `eˣ`.
    public func exp() -> Tensor {
        let output = storage.mapVector(VectorMath.exp)
        let result = Tensor(shape: shape, storage: output)
        return Tensor(result: output, shape: shape, operation: .exp(output: result), inputs: [self])
    }

    /// Natural logarithm. - Shape: unchanged. - Gradient: `1/x`.
    public func log() -> Tensor { unary(.log) { logf($0) } }

    /// `√x`. - Shape: unchanged. - Gradient: `1/(2√x)`.
    public func squareRoot() -> Tensor {
        let output = ElementwiseKernel.map(storage) { sqrtf($0) }
        let result = Tensor(shape: shape, storage: output)
        return Tensor(result: output, shape: shape, operation: .squareRoot(output: result), inputs: [self])
    }

    /// `x²`. - Shape: unchanged. - Gradient: `2x`.
    public func squared() -> Tensor { unary(.square) { $0 * $0 } }

    /// `xᵖ` for a constant exponent. - Shape: unchanged. - Gradient: `p·xᵖ⁻¹`.
    public func raised(to exponent: Float) -> Tensor {
        if exponent == 2 { return squared() }
        return unary(.powerScalar(exponent: exponent)) { powf($0, exponent) }
    }

    /// `min(max(x, lower), upper)`; the gradient is 1 inside `[lower, upper]` and 0 outside. - Shape: unchanged.
    public func clamped(min lower: Float, max upper: Float) -> Tensor {
        unary(.clamp(lower: lower, upper: upper)) { Swift.min(Swift.max($0, lower), upper) }
    }

    /// `max(x, 0)`; the gradient at 0 is 0. - Shape: unchanged.
    public func relu() -> Tensor { unary(.relu) { $0 > 0 ? $0 : 0 } }

    /// `x` for `x > 0`, else `slope·x`. - Shape: unchanged.
    public func leakyRelu(slope: Float = 0.01) -> Tensor {
        unary(.leakyRelu(slope: slope)) { $0 > 0 ? $0 : slope * $0 }
    }

    /// `x` for `x > 0`, else `α(eˣ − 1)`. - Shape: unchanged.
    public func elu(alpha: Float = 1) -> Tensor { unary(.elu(alpha: alpha)) { $0 > 0 ? $0 : alpha * (expf($0) - 1) } }

    /// GELU, exact form `x·Φ(x) = x/2·(1 + erf(x/√2))` (PyTorch's default). - Shape: unchanged.
    /// - Gradient: `Φ(x) + x·φ(x)`.
    public func gelu() -> Tensor { unary(.gelu) { 0.5 * $0 * (1 + erff($0 * 0.707_106_77)) } }

    /// The logistic function `1/(1 + e⁻ˣ)`, computed without overflow. - Shape: unchanged.
    /// - Gradient: `σ(x)(1 − σ(x))`.
    public func sigmoid() -> Tensor {
        let output = storage.mapVector(VectorMath.sigmoid)
        let result = Tensor(shape: shape, storage: output)
        return Tensor(result: output, shape: shape, operation: .sigmoid(output: result), inputs: [self])
    }

    /// Hyperbolic tangent. - Shape: unchanged. - Gradient: `1 − tanh²x`.
    public func tanh() -> Tensor {
        let output = storage.mapVector(VectorMath.tanh)
        let result = Tensor(shape: shape, storage: output)
        return Tensor(result: output, shape: shape, operation: .tanh(output: result), inputs: [self])
    }

    /// Rounds to the nearest integer, ties to even. Not differentiable: the result is cut from the graph (for
    /// straight-through estimators, compose `x + (x.rounded() − x).detached()`). - Shape: unchanged.
    public func rounded() -> Tensor {
        Tensor(shape: shape, storage: ElementwiseKernel.map(storage) { $0.rounded(.toNearestOrEven) })
    }

    /// −1, 0 or 1 by the sign of each scalar (NaN stays NaN). Not differentiable: the result is cut from the graph
    /// (FGSM uses `gradient.sign()`). - Shape: unchanged.
    public func sign() -> Tensor {
        Tensor(shape: shape, storage: ElementwiseKernel.map(storage) { $0 > 0 ? 1 : ($0 < 0 ? -1 : $0) })
    }

    /// `ln(1 + eˣ)`, computed as `max(x, 0) + ln(1 + e^−|x|)`. - Shape: unchanged. - Gradient: `σ(x)`.
    public func softplus() -> Tensor { unary(.softplus) { Swift.max($0, 0) + log1pf(expf(-Swift.abs($0))) } }
}
