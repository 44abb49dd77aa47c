// MultiHeadAttention: scaled dot-product attention over several heads, with additive masks (PyTorch layout).
import TensorCore

/// Multi-head attention: `softmax(Q·Kᵀ/√d + mask)·V` per head, heads concatenated and projected.
///
/// Parameters as PyTorch's `nn.MultiheadAttention`: `in_proj_weight [3D, D]` (Xavier uniform), `in_proj_bias`
/// (zeros), `out_proj.weight`/`out_proj.bias` (Linear default, bias zeros).
///
/// - Shape: query `[N, Tq, D]`, key/value `[N, Tk, D]` → `[N, Tq, D]`; `mask` is additive (0 = attend, a large
///   negative number = blocked) and broadcasts to `[N, heads, Tq, Tk]`: `[Tq, Tk]` (causal) or `[N, 1, 1, Tk]`
///   (padding, see `Encoding.attentionMask(fromPadding:)`).
public final class MultiHeadAttention: Layer {
    public let dimension: Int
    public let headCount: Int
    /// Whether `forward` applies a causal (look-ahead) mask.
    public let isCausal: Bool
    public let inputProjectionWeight: Parameter
    public let inputProjectionBias: Parameter
    public let outputProjection: Dense

    public init(dimension: Int, headCount: Int, causal: Bool = false, seed: UInt64 = 0) throws {
        guard dimension > 0, headCount > 0, dimension % headCount == 0 else {
            throw NeuralNetworkError(
                "MultiHeadAttention", "the dimension \(dimension) must be a positive multiple of \(headCount) heads")
        }
        self.dimension = dimension
        self.headCount = headCount
        isCausal = causal
        inputProjectionWeight = Parameter("in_proj_weight", try Tensor.zeros([3 * dimension, dimension]))
        inputProjectionBias = Parameter("in_proj_bias", try Tensor.zeros([3 * dimension]))
        outputProjection = try Dense(dimension, dimension, biasInitializer: .zeros, seed: seed &+ 1)
        var generator = RandomGenerator(seed: seed)
        try resetParameters(using: &generator)
    }

    public var ownParameters: [Parameter] { [inputProjectionWeight, inputProjectionBias] }
    public var children: [(name: String, layer: any Layer)] { [("out_proj", outputProjection)] }

    public func resetParameters(using generator: inout RandomGenerator) throws {
        try inputProjectionWeight.assign(
            Tensor.glorotUniform(
                inputProjectionWeight.shape, fanIn: dimension, fanOut: 3 * dimension, using: &generator
            ).scalars)
        try inputProjectionBias.assign([Float](repeating: 0, count: 3 * dimension))
        try outputProjection.resetParameters(using: &generator)
    }

    /// Self-attention of `input` (causal if the layer is).
    public func forward(_ input: Tensor, context: LayerContext) throws -> Tensor {
        let mask = isCausal ? try Encoding.causalMask(length: input.shape.count == 3 ? input.shape[1] : 0) : nil
        return try attend(query: input, key: input, value: input, mask: mask)
    }

    /// Attention of `query` over `key`/`value` with an optional additive `mask`.
    public func attend(query: Tensor, key: Tensor, value: Tensor, mask: Tensor? = nil) throws -> Tensor {
        guard query.rank == 3, key.rank == 3, value.rank == 3, query.shape[2] == dimension,
            key.shape[2] == dimension, value.shape[2] == dimension, key.shape[1] == value.shape[1],
            query.shape[0] == key.shape[0]
        else {
            throw NeuralNetworkError(
                "MultiHeadAttention",
                "expected query [N, Tq, \(dimension)] and key/value [N, Tk, \(dimension)], got "
                    + [query, key, value].map { TensorError.format(shape: $0.shape) }.joined(separator: ", "))
        }
        let (q, k, v): (Tensor, Tensor, Tensor)
        let weights = try inputProjectionWeight.value.split(count: 3, alongAxis: 0)
        let biases = try inputProjectionBias.value.split(count: 3, alongAxis: 0)
        if query.shape == key.shape && isSameStorage(query, key) && isSameStorage(key, value) {
            // Self-attention: one GEMM for Q, K and V together.
            let projected = try Tensor.matmul(query, inputProjectionWeight.value, transposeB: true)
                .addingBias(inputProjectionBias.value)
            let parts = try projected.split(count: 3, alongAxis: 2)
            (q, k, v) = (parts[0], parts[1], parts[2])
        } else {
            q = try Tensor.matmul(query, weights[0], transposeB: true).addingBias(biases[0])
            k = try Tensor.matmul(key, weights[1], transposeB: true).addingBias(biases[1])
            v = try Tensor.matmul(value, weights[2], transposeB: true).addingBias(biases[2])
        }
        let headSize = dimension / headCount
        func heads(_ x: Tensor) throws -> Tensor {
            try x.reshaped(to: [x.shape[0], x.shape[1], headCount, headSize]).permuted([0, 2, 1, 3])
        }
        var scores = try Tensor.matmul(heads(q), heads(k), transposeB: true) * (1 / Float(headSize).squareRoot())
        if let mask { scores = try scores + mask }
        let attention = try scores.softmax(alongAxis: -1)
        let mixed = try Tensor.matmul(attention, heads(v)).permuted([0, 2, 1, 3])
            .reshaped(to: [query.shape[0], query.shape[1], dimension])
        return try outputProjection.forward(mixed, context: .evaluation)
    }

    func isSameStorage(_ a: Tensor, _ b: Tensor) -> Bool {
        a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in pa.baseAddress == pb.baseAddress } }
    }
}

/// A Transformer encoder layer (PyTorch's `nn.TransformerEncoderLayer`, ReLU): post-norm
/// `x = norm1(x + drop(attn(x)))`, `x = norm2(x + drop(linear2(drop(relu(linear1(x))))))`, or pre-norm with
/// `normFirst`.
///
/// - Shape: `[N, T, D]`, unchanged.
public final class TransformerEncoderLayer: Layer {
    public let selfAttention: MultiHeadAttention
    public let linear1: Dense
    public let linear2: Dense
    public let norm1: LayerNorm
    public let norm2: LayerNorm
    public let dropoutRate: Float
    public let normFirst: Bool
    /// An additive attention mask used by `forward` (for example a padding mask), if any.
    public var mask: Tensor?

    public init(
        dimension: Int, headCount: Int, feedForwardSize: Int, dropout: Float = 0, normFirst: Bool = false,
        causal: Bool = false, epsilon: Float = 1e-5, seed: UInt64 = 0
    ) throws {
        selfAttention = try MultiHeadAttention(dimension: dimension, headCount: headCount, causal: causal, seed: seed)
        linear1 = try Dense(dimension, feedForwardSize, activation: .relu, seed: seed &+ 2)
        linear2 = try Dense(feedForwardSize, dimension, seed: seed &+ 3)
        norm1 = try LayerNorm(dimension, epsilon: epsilon)
        norm2 = try LayerNorm(dimension, epsilon: epsilon)
        dropoutRate = dropout
        self.normFirst = normFirst
    }

    public var children: [(name: String, layer: any Layer)] {
        [("self_attn", selfAttention), ("linear1", linear1), ("linear2", linear2), ("norm1", norm1), ("norm2", norm2)]
    }

    public func forward(_ input: Tensor, context: LayerContext) throws -> Tensor {
        func drop(_ x: Tensor) throws -> Tensor {
            guard context.isTraining, dropoutRate > 0 else { return x }
            return try x * Tensor.dropoutMask(x.shape, dropProbability: dropoutRate, using: &context.generator)
        }
        func attend(_ x: Tensor) throws -> Tensor {
            var mask = self.mask
            if selfAttention.isCausal {
                let causal = try Encoding.causalMask(length: x.shape[1])
                mask = try mask.map { try $0 + causal } ?? causal
            }
            return try drop(selfAttention.attend(query: x, key: x, value: x, mask: mask))
        }
        func feedForward(_ x: Tensor) throws -> Tensor {
            try drop(linear2.forward(drop(linear1.forward(x, context: context)), context: context))
        }
        if normFirst {
            let x = try input + attend(norm1.forward(input, context: context))
            return try x + feedForward(norm2.forward(x, context: context))
        }
        let x = try norm1.forward(input + attend(input), context: context)
        return try norm2.forward(x + feedForward(x), context: context)
    }
}
