// Embedding: a lookup table from token ids to vectors, and learned/sinusoidal positional embeddings.
import Foundation
import TensorCore

/// A lookup table: token id `i` → row `i` of a `[vocabulary, dimension]` weight.
///
/// Ids arrive as a Float tensor of whole numbers (the batch tensors of a `Dataset`).
///
/// - Shape: `[...]` → `[..., dimension]`. - Init: `N(0, 1)` (PyTorch's default).
public final class Embedding: Layer {
    public let vocabularySize: Int
    public let dimension: Int
    public let weight: Parameter
    let initializer: Initializer

    /// A table of `vocabularySize` vectors of `dimension`.
    public init(
        _ vocabularySize: Int, _ dimension: Int, initializer: Initializer = .pytorchDefault, seed: UInt64 = 0
    )
        throws
    {
        guard vocabularySize > 0, dimension > 0 else {
            throw NeuralNetworkError("Embedding", "sizes must be positive")
        }
        self.vocabularySize = vocabularySize
        self.dimension = dimension
        self.initializer = initializer
        weight = Parameter("weight", try Tensor.zeros([vocabularySize, dimension]))
        var generator = RandomGenerator(seed: seed)
        try resetParameters(using: &generator)
    }

    public var ownParameters: [Parameter] { [weight] }

    public func resetParameters(using generator: inout RandomGenerator) throws {
        let value =
            initializer == .pytorchDefault
            ? try Tensor.normal(weight.shape, using: &generator)
            : try initializer.make(
                weight.shape, fanIn: vocabularySize, fanOut: dimension, defaultBound: 1, using: &generator)
        try weight.assign(value.scalars)
    }

    public func forward(_ input: Tensor, context: LayerContext) throws -> Tensor {
        try weight.value.embedding(Embedding.indices(of: input, below: vocabularySize, operation: "Embedding"))
    }

    /// Whole-number Float ids as an `IndexTensor`, checked against `0..<bound`.
    static func indices(of input: Tensor, below bound: Int, operation: String) throws -> IndexTensor {
        let ids = input.scalars.map { Int($0.rounded()) }
        if let bad = ids.first(where: { $0 < 0 || $0 >= bound }) {
            throw NeuralNetworkError(operation, "id \(bad) is outside 0..<\(bound)")
        }
        return try IndexTensor(shape: input.shape, indices: ids)
    }
}

/// A learned positional embedding added to a sequence: `y[n, t] = x[n, t] + P[t]`.
///
/// - Shape: `[N, T, D]` with `T ≤ maximumLength`, unchanged; weight `[maximumLength, D]`, init `N(0, 1)`.
public final class PositionalEmbedding: Layer {
    public let maximumLength: Int
    public let dimension: Int
    public let weight: Parameter

    /// Positions `0..<maximumLength` of `dimension` features.
    public init(maximumLength: Int, dimension: Int, seed: UInt64 = 0) throws {
        self.maximumLength = maximumLength
        self.dimension = dimension
        weight = Parameter("weight", try Tensor.zeros([maximumLength, dimension]))
        var generator = RandomGenerator(seed: seed)
        try resetParameters(using: &generator)
    }

    public var ownParameters: [Parameter] { [weight] }

    public func resetParameters(using generator: inout RandomGenerator) throws {
        try weight.assign(Tensor.normal(weight.shape, using: &generator).scalars)
    }

    public func forward(_ input: Tensor, context: LayerContext) throws -> Tensor {
        guard input.rank == 3, input.shape[1] <= maximumLength, input.shape[2] == dimension else {
            throw NeuralNetworkError(
                "PositionalEmbedding",
                "expected [N, T ≤ \(maximumLength), \(dimension)], got \(TensorError.format(shape: input.shape))")
        }
        return try input + weight.value.sliced(alongAxis: 0, from: 0, to: input.shape[1])
    }
}

/// The fixed sinusoidal encoding of "Attention Is All You Need" added to a sequence:
/// `P[t, 2i] = sin(t / 10000^(2i/D))`, `P[t, 2i+1] = cos(…)`.
///
/// - Shape: `[N, T, D]`, unchanged. No parameters.
public final class SinusoidalPositionalEncoding: Layer {
    public let dimension: Int
    let table: Tensor

    /// An encoding for sequences up to `maximumLength` of `dimension` features.
    public init(maximumLength: Int, dimension: Int) throws {
        self.dimension = dimension
        var values = [Float](repeating: 0, count: maximumLength * dimension)
        for t in 0..<maximumLength {
            for i in 0..<dimension {
                let angle = Double(t) / pow(10_000, Double(2 * (i / 2)) / Double(dimension))
                values[t * dimension + i] = Float(i % 2 == 0 ? sin(angle) : cos(angle))
            }
        }
        table = try Tensor(shape: [maximumLength, dimension], scalars: values)
    }

    public func forward(_ input: Tensor, context: LayerContext) throws -> Tensor {
        guard input.rank == 3, input.shape[1] <= table.shape[0], input.shape[2] == dimension else {
            throw NeuralNetworkError(
                "SinusoidalPositionalEncoding",
                "expected [N, T, \(dimension)], got \(TensorError.format(shape: input.shape))")
        }
        return try input + table.sliced(alongAxis: 0, from: 0, to: input.shape[1])
    }
}
