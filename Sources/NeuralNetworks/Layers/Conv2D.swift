// Conv2D: a 2-D convolution layer over [N, C, H, W] (PyTorch nn.Conv2d layout and defaults).
import TensorCore

/// A 2-D convolution: `y = activation(conv(x, W) + b)`.
///
/// - Shape: `[N, in, H, W] → [N, out, OH, OW]`, `OH = (H + 2·padding − kernel)/stride + 1`; weight
///   `[out, in, kh, kw]`, bias `[out]`.
/// - Init: PyTorch's default `U(±1/√(in·kh·kw))` for weight and bias.
public final class Conv2D: Layer {
    public let inputChannels: Int
    public let outputChannels: Int
    public let kernelSize: (Int, Int)
    public let stride: (Int, Int)
    public let padding: (Int, Int)
    public let activation: ActivationFunction
    public let weight: Parameter
    public let bias: Parameter?
    let weightInitializer: Initializer

    /// A convolution with a square `kernelSize`, `stride` and `padding`.
    public convenience init(
        _ inputChannels: Int, _ outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
        activation: ActivationFunction = .identity, useBias: Bool = true,
        weightInitializer: Initializer = .pytorchDefault, seed: UInt64 = 0
    ) throws {
        try self.init(
            inputChannels, outputChannels, kernelSize: (kernelSize, kernelSize), stride: (stride, stride),
            padding: (padding, padding), activation: activation, useBias: useBias,
            weightInitializer: weightInitializer, seed: seed)
    }

    /// A convolution with rectangular kernel, stride and padding.
    public init(
        _ inputChannels: Int, _ outputChannels: Int, kernelSize: (Int, Int), stride: (Int, Int),
        padding: (Int, Int), activation: ActivationFunction = .identity, useBias: Bool = true,
        weightInitializer: Initializer = .pytorchDefault, seed: UInt64 = 0
    ) throws {
        guard inputChannels > 0, outputChannels > 0, kernelSize.0 > 0, kernelSize.1 > 0 else {
            throw NeuralNetworkError("Conv2D", "channels and kernel size must be positive")
        }
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.activation = activation
        self.weightInitializer = weightInitializer
        weight = Parameter("weight", try Tensor.zeros([outputChannels, inputChannels, kernelSize.0, kernelSize.1]))
        bias = useBias ? Parameter("bias", try Tensor.zeros([outputChannels])) : nil
        var generator = RandomGenerator(seed: seed)
        try resetParameters(using: &generator)
    }

    public var kind: String { "Conv2D(\(kernelSize.0)×\(kernelSize.1))" }
    public var ownParameters: [Parameter] { [weight] + (bias.map { [$0] } ?? []) }

    public func resetParameters(using generator: inout RandomGenerator) throws {
        let fanIn = inputChannels * kernelSize.0 * kernelSize.1
        let fanOut = outputChannels * kernelSize.0 * kernelSize.1
        let bound = Initializer.fanInBound(fanIn)
        try weight.assign(
            weightInitializer.make(weight.shape, fanIn: fanIn, fanOut: fanOut, defaultBound: bound, using: &generator)
                .scalars)
        if let bias {
            try bias.assign(Tensor.uniform(bias.shape, lower: -bound, upper: bound, using: &generator).scalars)
        }
    }

    public func forward(_ input: Tensor, context: LayerContext) throws -> Tensor {
        try checkInput(input)
        // identity, ReLU, sigmoid and tanh are fused into the convolution's last pass when no gradient is recorded.
        let fused = activation.fused ?? .identity
        let output = try input.conv2d(
            weight: weight.value, bias: bias?.value, stride: stride, padding: padding, activation: fused)
        return activation.fused == nil ? try activation.apply(output) : output
    }

    /// The forward pass followed by a 2×2 max pooling at stride 2, as `MaxPool2D(2)` after this layer computes it,
    /// in one op (`conv2dMaxPooled`: pooled in the convolution's registers when no gradient is recorded); nil when the
    /// activation has no fused form (the caller then runs the two layers).
    func forwardMaxPooled(_ input: Tensor) throws -> Tensor? {
        guard let fused = activation.fused else { return nil }
        try checkInput(input)
        return try input.conv2dMaxPooled(
            weight: weight.value, bias: bias?.value, stride: stride, padding: padding, activation: fused)
    }

    private func checkInput(_ input: Tensor) throws {
        guard input.rank == 4, input.shape[1] == inputChannels else {
            throw NeuralNetworkError(
                "Conv2D", "expected input [N, \(inputChannels), H, W], got \(TensorError.format(shape: input.shape))")
        }
    }
}
