// BatchNorm: batch normalization over [N, C] or [N, C, H, W] with running statistics (PyTorch BatchNorm1d/2d).
import TensorCore

/// Batch normalization: `y = γ · (x − μ) / √(σ² + ε) + β` per channel.
///
/// Training uses the batch's mean and (biased) variance and updates the running averages
/// `r ← (1 − momentum)·r + momentum·batch` (the running variance takes the unbiased batch variance, as PyTorch);
/// evaluation uses the running averages.
///
/// - Shape: `[N, C]` or `[N, C, L]` or `[N, C, H, W]`, unchanged; `weight`/`bias`/`running_mean`/`running_var` `[C]`.
public final class BatchNorm: Layer {
    public let features: Int
    public let momentum: Float
    public let epsilon: Float
    public let weight: Parameter
    public let bias: Parameter
    public let runningMean: Parameter
    public let runningVariance: Parameter

    /// Batch normalization over `features` channels.
    public init(_ features: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) throws {
        guard features > 0 else { throw NeuralNetworkError("BatchNorm", "features must be positive") }
        self.features = features
        self.momentum = momentum
        self.epsilon = epsilon
        weight = Parameter("weight", try Tensor.ones([features]))
        bias = Parameter("bias", try Tensor.zeros([features]))
        runningMean = Parameter("running_mean", try Tensor.zeros([features]), isTrainable: false)
        runningVariance = Parameter("running_var", try Tensor.ones([features]), isTrainable: false)
    }

    public var ownParameters: [Parameter] { [weight, bias, runningMean, runningVariance] }

    public func resetParameters(using generator: inout RandomGenerator) throws {
        try weight.assign([Float](repeating: 1, count: features))
        try bias.assign([Float](repeating: 0, count: features))
        try runningMean.assign([Float](repeating: 0, count: features))
        try runningVariance.assign([Float](repeating: 1, count: features))
    }

    public func forward(_ input: Tensor, context: LayerContext) throws -> Tensor {
        guard input.rank >= 2, input.shape[1] == features else {
            throw NeuralNetworkError(
                "BatchNorm", "expected [N, \(features), ...], got \(TensorError.format(shape: input.shape))")
        }
        var channelShape = [Int](repeating: 1, count: input.rank)
        channelShape[1] = features
        let axes = [0] + Array(2..<input.rank)
        let mean: Tensor
        let variance: Tensor
        if context.isTraining {
            mean = try input.mean(alongAxes: axes, keepingDimensions: true)
            variance = try input.variance(alongAxes: axes, keepingDimensions: true)
            let count = input.scalarCount / features
            let unbiasing = count > 1 ? Float(count) / Float(count - 1) : 1
            let batchMean = mean.detached().scalars
            let batchVariance = variance.detached().scalars
            let m = momentum
            runningMean.update { r in for c in 0..<r.count { r[c] = (1 - m) * r[c] + m * batchMean[c] } }
            runningVariance.update { r in
                for c in 0..<r.count { r[c] = (1 - m) * r[c] + m * batchVariance[c] * unbiasing }
            }
        } else {
            mean = try runningMean.value.reshaped(to: channelShape)
            variance = try runningVariance.value.reshaped(to: channelShape)
        }
        let normalized = try (input - mean) / (variance + epsilon).squareRoot()
        return try normalized * weight.value.reshaped(to: channelShape) + bias.value.reshaped(to: channelShape)
    }
}

/// Layer normalization over the last axis: `y = γ · (x − μ) / √(σ² + ε) + β` (one fused TensorCore pass).
///
/// - Shape: `[..., F]`, unchanged; `weight`, `bias` `[F]`.
public final class LayerNorm: Layer {
    public let features: Int
    public let epsilon: Float
    public let weight: Parameter
    public let bias: Parameter

    /// Layer normalization over a last axis of `features`.
    public init(_ features: Int, epsilon: Float = 1e-5) throws {
        guard features > 0 else { throw NeuralNetworkError("LayerNorm", "features must be positive") }
        self.features = features
        self.epsilon = epsilon
        weight = Parameter("weight", try Tensor.ones([features]))
        bias = Parameter("bias", try Tensor.zeros([features]))
    }

    public var ownParameters: [Parameter] { [weight, bias] }

    public func resetParameters(using generator: inout RandomGenerator) throws {
        try weight.assign([Float](repeating: 1, count: features))
        try bias.assign([Float](repeating: 0, count: features))
    }

    public func forward(_ input: Tensor, context: LayerContext) throws -> Tensor {
        try input.layerNormalized(gamma: weight.value, beta: bias.value, epsilon: epsilon)
    }
}
