// Dense: a fully connected layer, y = activation(x·Wᵀ + b), PyTorch's [out, in] weight layout.
import TensorCore

/// A fully connected layer: `y = activation(x · Wᵀ + b)`.
///
/// - Shape: `[..., in] → [..., out]`; weight `[out, in]`, bias `[out]` (PyTorch `nn.Linear` layout and names).
/// - Init: PyTorch's default `U(±1/√in)` for weight and bias, or `weightInitializer`/`biasInitializer`.
public final class Dense: Layer {
    public let inputSize: Int
    public let outputSize: Int
    public let activation: ActivationFunction
    public let weight: Parameter
    public let bias: Parameter?
    let weightInitializer: Initializer
    let biasInitializer: Initializer

    /// A dense layer from `inputSize` to `outputSize` features, initialized from `seed`.
    public init(
        _ inputSize: Int, _ outputSize: Int, activation: ActivationFunction = .identity, useBias: Bool = true,
        weightInitializer: Initializer = .pytorchDefault, biasInitializer: Initializer = .pytorchDefault,
        seed: UInt64 = 0
    ) throws {
        guard inputSize > 0, outputSize > 0 else {
            throw NeuralNetworkError("Dense", "sizes must be positive, got \(inputSize) → \(outputSize)")
        }
        self.inputSize = inputSize
        self.outputSize = outputSize
        self.activation = activation
        self.weightInitializer = weightInitializer
        self.biasInitializer = biasInitializer
        weight = Parameter("weight", try Tensor.zeros([outputSize, inputSize]))
        bias = useBias ? Parameter("bias", try Tensor.zeros([outputSize])) : nil
        var generator = RandomGenerator(seed: seed)
        try resetParameters(using: &generator)
    }

    public var kind: String { activation == .identity ? "Dense" : "Dense(\(activation.rawValue))" }
    public var ownParameters: [Parameter] { [weight] + (bias.map { [$0] } ?? []) }

    public func resetParameters(using generator: inout RandomGenerator) throws {
        let bound = Initializer.fanInBound(inputSize)
        try weight.assign(
            weightInitializer.make(
                weight.shape, fanIn: inputSize, fanOut: outputSize, defaultBound: bound, using: &generator
            ).scalars)
        if let bias {
            try bias.assign(
                biasInitializer.make(
                    bias.shape, fanIn: inputSize, fanOut: outputSize, defaultBound: bound, using: &generator
                )
                .scalars)
        }
    }

    public func forward(_ input: Tensor, context: LayerContext) throws -> Tensor {
        guard input.rank >= 1, input.shape[input.rank - 1] == inputSize else {
            throw NeuralNetworkError(
                "Dense", "expected input [..., \(inputSize)], got \(TensorError.format(shape: input.shape))")
        }
        if let fused = activation.fused, let bias {
            // One op: on the inference path the GEMM accumulates onto the bias (no second buffer or pass).
            return try Tensor.linear(input, weight: weight.value, bias: bias.value, activation: fused)
        }
        // Without a bias, or with an activation that has no fused form: the product, its bias, then the activation.
        let product = try Tensor.matmul(input, weight.value, transposeB: true)
        return try activation.apply(bias.map { try product.addingBias($0.value) } ?? product)
    }
}
