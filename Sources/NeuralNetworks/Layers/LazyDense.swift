// LazyDense: a dense layer whose input size is taken from its first input (Keras's `Dense(units)`).
import TensorCore

/// A fully connected layer to `outputSize` features whose input size is taken from its first input: the ``Dense``
/// inside is built then, from a seed that ``resetParameters(using:)`` drew, so a model with lazy layers is as
/// reproducible as any other. Until then it has no parameters (build it with a forward pass, e.g.
/// `summary(inputShape:)`, before making an optimizer).
///
/// - Shape: `[..., in] → [..., out]`, with `in` fixed by the first input.
public final class LazyDense: Layer {
    public let outputSize: Int
    public let activation: ActivationFunction
    /// The seed the ``Dense`` is built from; drawn from the model's generator by ``resetParameters(using:)``.
    public private(set) var seed: UInt64
    /// The layer once the first input has fixed its input size; `nil` before.
    public private(set) var built: Dense?

    /// A dense layer to `outputSize` features whose weights are drawn from `seed` when its first input arrives.
    public init(_ outputSize: Int, activation: ActivationFunction = .identity, seed: UInt64 = 0) throws {
        guard outputSize > 0 else { throw NeuralNetworkError("Dense", "sizes must be positive, got \(outputSize)") }
        self.outputSize = outputSize
        self.activation = activation
        self.seed = seed
    }

    public var kind: String { built?.kind ?? "Dense(? → \(outputSize))" }
    public var ownParameters: [Parameter] { built?.ownParameters ?? [] }

    /// Draws a new seed for the layer to come; a layer already built redraws its weights from `generator`.
    public func resetParameters(using generator: inout RandomGenerator) throws {
        seed = generator.next()
        if let built { try built.resetParameters(using: &generator) }
    }

    public func forward(_ input: Tensor, context: LayerContext) throws -> Tensor {
        if built == nil {
            guard let inputSize = input.shape.last, inputSize > 0 else {
                throw NeuralNetworkError(
                    "Dense", "cannot infer the input size from \(TensorError.format(shape: input.shape))")
            }
            built = try Dense(inputSize, outputSize, activation: activation, seed: seed)
        }
        return try built!.forward(input, context: context)
    }
}
