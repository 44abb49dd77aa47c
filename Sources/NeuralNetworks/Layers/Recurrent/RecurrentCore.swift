// RecurrentCore: the scan shared by SimpleRNN, LSTM and GRU (both directions, sequence or last-state output).
import TensorCore

/// The recurrence of a layer: which cell, its sizes, its weights per direction (PyTorch names and layout).
final class RecurrentCore {
    enum Cell: Sendable {
        case simple, lstm, gru

        /// Gates stacked in the weight matrices (LSTM i, f, g, o; GRU r, z, n).
        var gateCount: Int {
            switch self {
            case .simple: return 1
            case .lstm: return 4
            case .gru: return 3
            }
        }
    }

    /// One direction's weights: `weight_ih [G·H, I]`, `weight_hh [G·H, H]`, `bias_ih`, `bias_hh [G·H]`.
    struct Direction {
        let inputWeight: Parameter
        let hiddenWeight: Parameter
        let inputBias: Parameter
        let hiddenBias: Parameter
    }

    let cell: Cell
    let inputSize: Int
    let hiddenSize: Int
    let returnSequences: Bool
    let directions: [Direction]
    let name: String

    init(
        _ cell: Cell, name: String, inputSize: Int, hiddenSize: Int, returnSequences: Bool, bidirectional: Bool,
        seed: UInt64
    ) throws {
        guard inputSize > 0, hiddenSize > 0 else {
            throw NeuralNetworkError(name, "sizes must be positive, got \(inputSize) → \(hiddenSize)")
        }
        self.cell = cell
        self.name = name
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.returnSequences = returnSequences
        let rows = cell.gateCount * hiddenSize
        directions = try (bidirectional ? ["_l0", "_l0_reverse"] : ["_l0"]).map { suffix in
            Direction(
                inputWeight: Parameter("weight_ih" + suffix, try Tensor.zeros([rows, inputSize])),
                hiddenWeight: Parameter("weight_hh" + suffix, try Tensor.zeros([rows, hiddenSize])),
                inputBias: Parameter("bias_ih" + suffix, try Tensor.zeros([rows])),
                hiddenBias: Parameter("bias_hh" + suffix, try Tensor.zeros([rows])))
        }
        var generator = RandomGenerator(seed: seed)
        try reset(using: &generator)
    }

    var parameters: [Parameter] {
        directions.flatMap { [$0.inputWeight, $0.hiddenWeight, $0.inputBias, $0.hiddenBias] }
    }

    /// PyTorch's default: every weight and bias `U(±1/√H)`.
    func reset(using generator: inout RandomGenerator) throws {
        let bound = 1 / Float(hiddenSize).squareRoot()
        for parameter in parameters {
            try parameter.assign(
                Tensor.uniform(parameter.shape, lower: -bound, upper: bound, using: &generator).scalars)
        }
    }

    var outputWidth: Int { hiddenSize * directions.count }

    /// - Shape: `[N, T, I]` → `[N, T, H·directions]` (sequences) or `[N, H·directions]` (last state).
    /// - Parameter stepwise: run an LSTM as a scan of per-step ops (one GEMM and one `lstmCell` per step) instead of
    ///   the fused whole-sequence `Tensor.lstm`; the tests use it as the reference formulation.
    func forward(_ input: Tensor, stepwise: Bool = false) throws -> Tensor {
        guard input.rank == 3, input.shape[2] == inputSize, input.shape[1] > 0 else {
            throw NeuralNetworkError(
                name, "expected input [N, T, \(inputSize)], got \(TensorError.format(shape: input.shape))")
        }
        var outputs: [(sequence: Tensor?, last: Tensor)] = []
        if cell == .lstm && !stepwise {
            // The whole layer per direction is one fused op over the batch-first input (TensorCore's `lstm`).
            let steps = input.shape[1]
            for (index, direction) in directions.enumerated() {
                let reversed = index == 1
                let sequence = try Tensor.lstm(
                    input, inputWeight: direction.inputWeight.value, hiddenWeight: direction.hiddenWeight.value,
                    inputBias: direction.inputBias.value, hiddenBias: direction.hiddenBias.value, reversed: reversed)
                let lastStep = reversed ? 0 : steps - 1
                let last =
                    returnSequences
                    ? sequence
                    : try sequence.sliced(alongAxis: 1, from: lastStep, to: lastStep + 1)
                        .reshaped(to: [input.shape[0], hiddenSize])
                outputs.append((returnSequences ? sequence : nil, last))
            }
        } else {
            // Time-major once, so that each step's input is one contiguous block.
            let timeMajor = try input.permuted([1, 0, 2])
            for (index, direction) in directions.enumerated() {
                outputs.append(try scan(timeMajor, direction, reversed: index == 1))
            }
        }
        if returnSequences {
            let sequences = outputs.map { $0.sequence! }
            return sequences.count == 1 ? sequences[0] : try Tensor.concatenate(sequences, alongAxis: 2)
        }
        let lasts = outputs.map(\.last)
        return lasts.count == 1 ? lasts[0] : try Tensor.concatenate(lasts, alongAxis: 1)
    }

    /// Runs one direction over `[T, N, I]`; returns `[N, T, H]` (when sequences are wanted) and the final `[N, H]`.
    ///
    /// Used for SimpleRNN and GRU, and for the LSTM only as the step-by-step reference (`stepwise`). Each step slices
    /// its `[N, I]` input; LSTM and SimpleRNN multiply `[xₜ, hₜ₋₁]` by `[W_ih, W_hh]` in one GEMM per step.
    func scan(_ input: Tensor, _ direction: Direction, reversed: Bool) throws -> (sequence: Tensor?, last: Tensor) {
        let (steps, batch) = (input.shape[0], input.shape[1])
        let inputWeight = direction.inputWeight.value
        let hiddenWeight = direction.hiddenWeight.value
        let joinedWeight = cell == .gru ? nil : try Tensor.concatenate([inputWeight, hiddenWeight], alongAxis: 1)
        let joinedBias = cell == .gru ? nil : try direction.inputBias.value + direction.hiddenBias.value
        var hidden: Tensor?
        var memory = try Tensor.zeros([batch, hiddenSize])
        var states = [Tensor?](repeating: nil, count: steps)
        let order = reversed ? Array((0..<steps).reversed()) : Array(0..<steps)
        for t in order {
            let x = try input.sliced(alongAxis: 0, from: t, to: t + 1).reshaped(to: [batch, inputSize])
            switch cell {
            case .simple, .lstm:
                let pre: Tensor
                if let hidden {
                    let joined = try Tensor.concatenate([x, hidden], alongAxis: 1)
                    pre = try Tensor.matmul(joined, joinedWeight!, transposeB: true).addingBias(joinedBias!)
                } else {
                    pre = try Tensor.matmul(x, inputWeight, transposeB: true).addingBias(joinedBias!)
                }
                if cell == .simple {
                    hidden = pre.tanh()
                } else {
                    let next = try Tensor.lstmCell(gates: pre, cell: memory)
                    hidden = next.hidden
                    memory = next.cell
                }
            case .gru:
                let previous = try hidden ?? Tensor.zeros([batch, hiddenSize])
                let projected = try Tensor.matmul(x, inputWeight, transposeB: true).addingBias(
                    direction.inputBias.value)
                let recurrent = try Tensor.matmul(previous, hiddenWeight, transposeB: true)
                    .addingBias(direction.hiddenBias.value)
                let xs = try projected.split(count: 3, alongAxis: 1)
                let hs = try recurrent.split(count: 3, alongAxis: 1)
                let reset = try (xs[0] + hs[0]).sigmoid()
                let update = try (xs[1] + hs[1]).sigmoid()
                let candidate = try (xs[2] + reset * hs[2]).tanh()
                hidden = try candidate + update * (previous - candidate)  // (1 − z)·n + z·h
            }
            states[t] = hidden
        }
        let last = hidden!
        guard returnSequences else { return (nil, last) }
        return (try Tensor.stack(states.map { $0! }, alongAxis: 1), last)
    }
}
