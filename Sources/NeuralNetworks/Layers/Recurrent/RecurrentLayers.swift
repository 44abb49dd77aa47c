// SimpleRNN, LSTM and GRU: recurrent layers over batch-first sequences [N, T, F].
import TensorCore

/// What SimpleRNN, LSTM and GRU share: a `RecurrentCore` holds their weights and runs their cell over the sequence
/// (both directions, every step or the last state); the subclasses only choose the cell.
public class RecurrentLayer: Layer {
    let core: RecurrentCore

    init(
        _ cell: RecurrentCore.Cell, name: String, inputSize: Int, hiddenSize: Int, returnSequences: Bool,
        bidirectional: Bool, seed: UInt64
    ) throws {
        core = try RecurrentCore(
            cell, name: name, inputSize: inputSize, hiddenSize: hiddenSize, returnSequences: returnSequences,
            bidirectional: bidirectional, seed: seed)
    }

    public var hiddenSize: Int { core.hiddenSize }
    /// The features of each step of the input.
    public var inputSize: Int { core.inputSize }
    /// Whether the layer returns every step `[N, T, H·dirs]` rather than the last state `[N, H·dirs]`.
    public var returnsSequences: Bool { core.returnSequences }
    /// Whether a second direction reads the sequence backwards.
    public var isBidirectional: Bool { core.directions.count == 2 }
    public var ownParameters: [Parameter] { core.parameters }
    public func resetParameters(using generator: inout RandomGenerator) throws { try core.reset(using: &generator) }
    public func forward(_ input: Tensor, context: LayerContext) throws -> Tensor { try core.forward(input) }
}

/// An Elman RNN: `hₜ = tanh(xₜ·W_ihᵀ + b_ih + hₜ₋₁·W_hhᵀ + b_hh)`.
///
/// - Shape: `[N, T, I]` → `[N, T, H]` with `returnSequences` (else the last state `[N, H]`); bidirectional
///   doubles `H` (forward and reverse concatenated). Stack layers in a `Sequential` with `returnSequences: true`.
public final class SimpleRNN: RecurrentLayer {
    public init(
        _ inputSize: Int, _ hiddenSize: Int, returnSequences: Bool = false, bidirectional: Bool = false,
        seed: UInt64 = 0
    ) throws {
        try super.init(
            .simple, name: "SimpleRNN", inputSize: inputSize, hiddenSize: hiddenSize, returnSequences: returnSequences,
            bidirectional: bidirectional, seed: seed)
    }
}

/// A long short-term memory layer (PyTorch's gate order i, f, g, o and two biases):
/// `c′ = σ(f)⊙c + σ(i)⊙tanh(g)`, `h′ = σ(o)⊙tanh(c′)`. Each direction is one TensorCore op (`Tensor.lstm`): the input
/// projection of the whole sequence is one GEMM, each step one GEMM and one fused cell pass, and the backward pass
/// through time is written by hand (one graph node per direction).
///
/// - Shape: `[N, T, I]` → `[N, T, H]` with `returnSequences` (else `[N, H]`); bidirectional doubles `H`.
public final class LSTM: RecurrentLayer {
    public init(
        _ inputSize: Int, _ hiddenSize: Int, returnSequences: Bool = false, bidirectional: Bool = false,
        seed: UInt64 = 0
    ) throws {
        try super.init(
            .lstm, name: "LSTM", inputSize: inputSize, hiddenSize: hiddenSize, returnSequences: returnSequences,
            bidirectional: bidirectional, seed: seed)
    }
}

/// A gated recurrent unit (PyTorch's form, gates r, z, n): `r = σ(W_ir x + b_ir + W_hr h + b_hr)`, likewise `z`,
/// `n = tanh(W_in x + b_in + r⊙(W_hn h + b_hn))`, `h′ = (1 − z)⊙n + z⊙h`.
///
/// - Shape: `[N, T, I]` → `[N, T, H]` with `returnSequences` (else `[N, H]`); bidirectional doubles `H`.
public final class GRU: RecurrentLayer {
    public init(
        _ inputSize: Int, _ hiddenSize: Int, returnSequences: Bool = false, bidirectional: Bool = false,
        seed: UInt64 = 0
    ) throws {
        try super.init(
            .gru, name: "GRU", inputSize: inputSize, hiddenSize: hiddenSize, returnSequences: returnSequences,
            bidirectional: bidirectional, seed: seed)
    }
}
