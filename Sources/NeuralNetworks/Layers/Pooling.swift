// Pooling layers: MaxPool2D, AvgPool2D and GlobalAvgPool over [N, C, H, W].
import TensorCore

/// What MaxPool2D and AvgPool2D share: a square `kernel × kernel` window moved by `stride` (default: the kernel)
/// over a zero-`padding`ed input, each window reduced to its maximum or its mean.
///
/// - Shape: `[N, C, H, W] → [N, C, OH, OW]`.
public class Pool2D: Layer {
    enum Reduction { case maximum, mean }

    public let kernel: Int
    public let stride: Int
    public let padding: Int
    let reduction: Reduction

    init(_ reduction: Reduction, kernel: Int, stride: Int?, padding: Int) {
        self.reduction = reduction
        self.kernel = kernel
        self.stride = stride ?? kernel
        self.padding = padding
    }

    public var kind: String { "\(type(of: self))(\(kernel))" }

    public func forward(_ input: Tensor, context: LayerContext) throws -> Tensor {
        let (window, step, pad) = ((kernel, kernel), (stride, stride), (padding, padding))
        switch reduction {
        case .maximum: return try input.maxPool2d(kernel: window, stride: step, padding: pad)
        case .mean: return try input.avgPool2d(kernel: window, stride: step, padding: pad)
        }
    }
}

/// Max pooling over `kernel × kernel` windows (stride defaults to the kernel).
public final class MaxPool2D: Pool2D {
    /// Max pooling with a square window.
    public init(_ kernel: Int = 2, stride: Int? = nil, padding: Int = 0) {
        super.init(.maximum, kernel: kernel, stride: stride, padding: padding)
    }
}

/// Average pooling over `kernel × kernel` windows (padding counted, as PyTorch's default).
public final class AvgPool2D: Pool2D {
    /// Average pooling with a square window.
    public init(_ kernel: Int = 2, stride: Int? = nil, padding: Int = 0) {
        super.init(.mean, kernel: kernel, stride: stride, padding: padding)
    }
}

/// The mean over the spatial axes.
///
/// - Shape: `[N, C, H, W] → [N, C]`.
public final class GlobalAvgPool: Layer {
    public init() {}

    public func forward(_ input: Tensor, context: LayerContext) throws -> Tensor {
        guard input.rank == 4 else {
            throw NeuralNetworkError(
                "GlobalAvgPool", "expected [N, C, H, W], got \(TensorError.format(shape: input.shape))")
        }
        return try input.mean(alongAxes: [2, 3])
    }
}

/// Flattens every axis after the batch axis.
///
/// - Shape: `[N, d1, d2, …] → [N, d1·d2·…]`.
public final class Flatten: Layer {
    public init() {}

    public func forward(_ input: Tensor, context: LayerContext) throws -> Tensor {
        input.rank <= 2 ? input : try input.flattened(from: 1)
    }
}

/// Inverted dropout: while training, zeroes each value with probability `rate` and scales the rest by
/// `1/(1 − rate)`; the identity in evaluation.
///
/// - Shape: unchanged.
public final class Dropout: Layer {
    public let rate: Float

    /// Dropout with drop probability `rate` in `[0, 1)`.
    public init(_ rate: Float) throws {
        guard rate >= 0, rate < 1 else { throw NeuralNetworkError("Dropout", "rate \(rate) is outside [0, 1)") }
        self.rate = rate
    }

    public var kind: String { "Dropout(\(rate))" }

    public func forward(_ input: Tensor, context: LayerContext) throws -> Tensor {
        guard context.isTraining, rate > 0 else { return input }
        return try input * Tensor.dropoutMask(input.shape, dropProbability: rate, using: &context.generator)
    }
}
