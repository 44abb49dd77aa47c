// Tensor+LSTM: a whole LSTM layer (one direction, every time step) as one op and one graph node, with a hand-written
// backward pass through time. The recurrence is written as large GEMMs plus one fused elementwise pass per step.

/// What the LSTM's backward pass needs, saved by the forward pass in processing order (step `s` reads time
/// `T − 1 − s` when reversed, else `s`). Rows are `[step, batch]`; the buffers are only read after the forward pass.
final class LSTMSequenceRecord: Sendable {
    let reversed: Bool
    let steps: Int
    let batch: Int
    let hidden: Int
    /// `[T, N, I]`: the input in processing order.
    let stepInputs: TensorStorage
    /// `[T, N, 4H]`: the activated gates `σ(i), σ(f), tanh(g), σ(o)`.
    let gates: TensorStorage
    /// `[T + 1, N, H]`: the cell states, slot 0 the initial (zero) state.
    let cells: TensorStorage
    /// `[T, N, H]`: `tanh` of each step's new cell state.
    let cellTanh: TensorStorage
    /// `[T + 1, N, H]`: the hidden states, slot 0 the initial (zero) state.
    let hiddens: TensorStorage

    init(
        reversed: Bool, steps: Int, batch: Int, hidden: Int, stepInputs: TensorStorage, gates: TensorStorage,
        cells: TensorStorage, cellTanh: TensorStorage, hiddens: TensorStorage
    ) {
        self.reversed = reversed
        self.steps = steps
        self.batch = batch
        self.hidden = hidden
        self.stepInputs = stepInputs
        self.gates = gates
        self.cells = cells
        self.cellTanh = cellTanh
        self.hiddens = hiddens
    }

    /// The time index that processing step `step` reads.
    @inline(__always)
    func time(_ step: Int) -> Int { reversed ? steps - 1 - step : step }
}

extension Tensor {
    /// An LSTM over a batch-first sequence, PyTorch's gate order (i, f, g, o) and two biases, zero initial state:
    /// `z = xₜ·W_ihᵀ + b_ih + hₜ₋₁·W_hhᵀ + b_hh`, `cₜ = σ(z_f)⊙cₜ₋₁ + σ(z_i)⊙tanh(z_g)`, `hₜ = σ(z_o)⊙tanh(cₜ)`.
    /// With `reversed`, the sequence is read from its last step to its first (the backward half of a bidirectional
    /// layer) and `hₜ` is still stored at position `t`.
    ///
    /// The input projection of all steps is one GEMM, each step one GEMM (`hₜ₋₁·W_hhᵀ`) and one fused pass over the
    /// gates; the backward pass walks the steps in reverse with one GEMM and one fused pass each, then forms the weight
    /// gradients of all steps in two GEMMs. The whole layer is one graph node.
    ///
    /// - Shape: input `[N, T, I]`, `inputWeight [4H, I]`, `hiddenWeight [4H, H]`, `inputBias` and `hiddenBias [4H]`
    ///   → `[N, T, H]` (every step's hidden state; the last state is position `T − 1`, or 0 when `reversed`).
    /// - Gradient: backpropagation through time, with respect to the input, both weights and both biases.
    public static func lstm(
        _ input: Tensor, inputWeight: Tensor, hiddenWeight: Tensor, inputBias: Tensor, hiddenBias: Tensor,
        reversed: Bool = false
    ) throws(TensorError) -> Tensor {
        let shapes = [input.shape, inputWeight.shape, hiddenWeight.shape, inputBias.shape, hiddenBias.shape]
        guard input.rank == 3, hiddenWeight.rank == 2, hiddenWeight.shape[0] == 4 * hiddenWeight.shape[1],
            inputWeight.shape == [hiddenWeight.shape[0], input.shape[2]], inputBias.shape == [hiddenWeight.shape[0]],
            hiddenBias.shape == inputBias.shape
        else {
            throw TensorError(
                "lstm", shapes: shapes,
                "expected input [N, T, I], weights [4H, I] and [4H, H], biases [4H]")
        }
        let (batch, steps, features, hidden) = (input.shape[0], input.shape[1], input.shape[2], hiddenWeight.shape[1])
        let width = 4 * hidden
        // The saved state of every step (inputs, gates, cells, tanh of cells, hidden states) and the result.
        let perStep = MemoryBudget.scalarCount(of: [batch, features + width + 4 * hidden])
        try MemoryBudget.check(
            count: perStep.flatMap { MemoryBudget.scalarCount(of: [$0, steps + 1]) }, operation: "lstm", shapes: shapes)
        let record = LSTMSequenceRecord(
            reversed: reversed, steps: steps, batch: batch, hidden: hidden,
            stepInputs: TensorStorage(uninitializedCount: steps * batch * features),
            gates: TensorStorage(uninitializedCount: steps * batch * width),
            cells: TensorStorage(uninitializedCount: (steps + 1) * batch * hidden),
            cellTanh: TensorStorage(uninitializedCount: steps * batch * hidden),
            hiddens: TensorStorage(uninitializedCount: (steps + 1) * batch * hidden))
        let output = TensorStorage(uninitializedCount: batch * steps * hidden)
        // The input in processing order, so that each step's rows are one contiguous block.
        let x = input.storage.pointer
        let stepInputs = record.stepInputs.pointer
        for step in 0..<steps {
            let t = record.time(step)
            for n in 0..<batch {
                (stepInputs + (step * batch + n) * features).update(
                    from: x + (n * steps + t) * features, count: features)
            }
        }
        // The input projection of every step at once.
        let gates = record.gates.pointer
        gemm(
            stepInputs, inputWeight.storage.pointer, gates, m: steps * batch, n: width, k: features,
            transposeA: false, transposeB: true)
        var bias = [Float](repeating: 0, count: width)
        for j in 0..<width { bias[j] = inputBias.storage.pointer[j] + hiddenBias.storage.pointer[j] }
        record.cells.pointer.update(repeating: 0, count: batch * hidden)
        record.hiddens.pointer.update(repeating: 0, count: batch * hidden)
        bias.withUnsafeBufferPointer { bias in
            for step in 0..<steps {
                let stepGates = gates + step * batch * width
                if step > 0 {
                    gemm(
                        record.hiddens.pointer + step * batch * hidden, hiddenWeight.storage.pointer, stepGates,
                        m: batch, n: width, k: hidden, transposeA: false, transposeB: true, accumulate: true)
                }
                lstmForwardStep(record, step: step, bias: bias.baseAddress!, output: output.pointer)
            }
        }
        let inputs = [input, inputWeight, hiddenWeight, inputBias, hiddenBias]
        return Tensor(
            result: output, shape: [batch, steps, hidden], operation: .lstm(record), inputs: inputs,
            tracked: inputs.contains { $0.node != nil })
    }

    /// One step's fused cell: activates the step's gates in place (adding the bias), writes the new cell state, its
    /// `tanh`, and the hidden state (into the record and into the batch-first output).
    private static func lstmForwardStep(
        _ record: LSTMSequenceRecord, step: Int, bias: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>
    ) {
        let (batch, hidden, steps) = (record.batch, record.hidden, record.steps)
        let t = record.time(step)
        for n in 0..<batch {
            let row = step * batch + n
            let z = record.gates.pointer + row * 4 * hidden
            let previous = UnsafePointer(record.cells.pointer + row * hidden)
            let cell = record.cells.pointer + (row + batch) * hidden
            let cellTanh = record.cellTanh.pointer + row * hidden
            let state = record.hiddens.pointer + (row + batch) * hidden
            let out = output + (n * steps + t) * hidden
            // Explicit SIMD (LLVM does not vectorize a loop over this many pointers) in two passes: the gates, whose
            // four activations are independent, then the cell, so that each loop body is short and the processor
            // overlaps the long exp–divide chains of consecutive iterations.
            let vectorEnd = hidden - hidden % VectorMath.laneCount
            for gateBlock in 0..<4 {
                let block = z + gateBlock * hidden
                let offsets = bias + gateBlock * hidden
                var k = 0
                if gateBlock == 2 {
                    while k < vectorEnd {
                        VectorMath.store(
                            VectorMath.tanh(VectorMath.load(block + k) + VectorMath.load(offsets + k)), block + k)
                        k += VectorMath.laneCount
                    }
                } else {
                    while k < vectorEnd {
                        VectorMath.store(
                            VectorMath.sigmoid(VectorMath.load(block + k) + VectorMath.load(offsets + k)), block + k)
                        k += VectorMath.laneCount
                    }
                }
            }
            var j = 0
            while j < vectorEnd {
                let c =
                    VectorMath.load(z + hidden + j) * VectorMath.load(previous + j) + VectorMath.load(z + j)
                    * VectorMath.load(z + 2 * hidden + j)
                let squashed = VectorMath.tanh(c)
                VectorMath.store(c, cell + j)
                VectorMath.store(squashed, cellTanh + j)
                VectorMath.store(VectorMath.load(z + 3 * hidden + j) * squashed, state + j)
                j += VectorMath.laneCount
            }
            while j < hidden {
                let input = VectorMath.sigmoid(z[j] + bias[j])
                let forget = VectorMath.sigmoid(z[hidden + j] + bias[hidden + j])
                let candidate = VectorMath.tanh(z[2 * hidden + j] + bias[2 * hidden + j])
                let gate = VectorMath.sigmoid(z[3 * hidden + j] + bias[3 * hidden + j])
                z[j] = input
                z[hidden + j] = forget
                z[2 * hidden + j] = candidate
                z[3 * hidden + j] = gate
                let c = forget * previous[j] + input * candidate
                let squashed = VectorMath.tanh(c)
                cell[j] = c
                cellTanh[j] = squashed
                state[j] = gate * squashed
                j += 1
            }
            out.update(from: state, count: hidden)
        }
    }

    /// Backpropagation through time for `lstm`: gradients for input, input weight, hidden weight and both biases.
    ///
    /// Per step (last processed first), with `dh = g + dz_{s+1}·W_hh` and the cell gradient `dc` carried back:
    /// `dc += dh·o·(1 − tanh²c)`, `dz_i = dc·g·i(1 − i)`, `dz_f = dc·c₋₁·f(1 − f)`, `dz_g = dc·i·(1 − g²)`,
    /// `dz_o = dh·tanh c·o(1 − o)`, then `dc ← dc·f`. Afterwards `dW_ih = dZᵀ·X`, `dW_hh = dZ₁..ᵀ·H₀..`, `db = Σ dZ`,
    /// `dX = dZ·W_ih`.
    static func lstmGradients(
        _ record: LSTMSequenceRecord, inputs: [Tensor], gradient g: Tensor, needed: [Bool]
    ) -> [Tensor?] {
        let (batch, hidden, steps) = (record.batch, record.hidden, record.steps)
        let features = inputs[0].shape[2]
        let width = 4 * hidden
        let hiddenWeight = inputs[2].storage.pointer
        let dGates = TensorStorage(uninitializedCount: steps * batch * width)
        let recurrent = TensorStorage(repeating: 0, count: batch * hidden)  // dz_{s+1}·W_hh
        let dCell = TensorStorage(repeating: 0, count: batch * hidden)
        let upstream = g.storage.pointer
        for step in stride(from: steps - 1, through: 0, by: -1) {
            let t = record.time(step)
            for n in 0..<batch {
                let row = step * batch + n
                let a = UnsafePointer(record.gates.pointer + row * width)
                let dz = dGates.pointer + row * width
                let previous = UnsafePointer(record.cells.pointer + row * hidden)
                let squashed = UnsafePointer(record.cellTanh.pointer + row * hidden)
                let gy = upstream + (n * steps + t) * hidden
                let dhRecurrent = UnsafePointer(recurrent.pointer + n * hidden)
                let dc = dCell.pointer + n * hidden
                var j = 0
                while j + VectorMath.laneCount <= hidden {
                    let dh = VectorMath.load(gy + j) + VectorMath.load(dhRecurrent + j)
                    let input = VectorMath.load(a + j)
                    let forget = VectorMath.load(a + hidden + j)
                    let candidate = VectorMath.load(a + 2 * hidden + j)
                    let gate = VectorMath.load(a + 3 * hidden + j)
                    let tanhC = VectorMath.load(squashed + j)
                    let dC = VectorMath.load(dc + j) + dh * gate * (1 - tanhC * tanhC)
                    VectorMath.store(dC * candidate * input * (1 - input), dz + j)
                    VectorMath.store(dC * VectorMath.load(previous + j) * forget * (1 - forget), dz + hidden + j)
                    VectorMath.store(dC * input * (1 - candidate * candidate), dz + 2 * hidden + j)
                    VectorMath.store(dh * tanhC * gate * (1 - gate), dz + 3 * hidden + j)
                    VectorMath.store(dC * forget, dc + j)
                    j += VectorMath.laneCount
                }
                while j < hidden {
                    let dh = gy[j] + dhRecurrent[j]
                    let (input, forget, candidate, gate) = (a[j], a[hidden + j], a[2 * hidden + j], a[3 * hidden + j])
                    let tanhC = squashed[j]
                    let dC = dc[j] + dh * gate * (1 - tanhC * tanhC)
                    dz[j] = dC * candidate * input * (1 - input)
                    dz[hidden + j] = dC * previous[j] * forget * (1 - forget)
                    dz[2 * hidden + j] = dC * input * (1 - candidate * candidate)
                    dz[3 * hidden + j] = dh * tanhC * gate * (1 - gate)
                    dc[j] = dC * forget
                    j += 1
                }
            }
            if step > 0 {
                gemm(
                    dGates.pointer + step * batch * width, hiddenWeight, recurrent.pointer, m: batch, n: hidden,
                    k: width, transposeA: false, transposeB: false)
            }
        }
        var result: [Tensor?] = [nil, nil, nil, nil, nil]
        if needed[0] {
            let dSteps = TensorStorage(uninitializedCount: steps * batch * features)
            gemm(
                dGates.pointer, inputs[1].storage.pointer, dSteps.pointer, m: steps * batch, n: features, k: width,
                transposeA: false, transposeB: false)
            let dx = TensorStorage(uninitializedCount: batch * steps * features)
            for step in 0..<steps {
                let t = record.time(step)
                for n in 0..<batch {
                    (dx.pointer + (n * steps + t) * features).update(
                        from: dSteps.pointer + (step * batch + n) * features, count: features)
                }
            }
            result[0] = Tensor(shape: inputs[0].shape, storage: dx)
        }
        if needed[1] {
            let dW = TensorStorage(uninitializedCount: width * features)
            gemm(
                dGates.pointer, record.stepInputs.pointer, dW.pointer, m: width, n: features, k: steps * batch,
                transposeA: true, transposeB: false)
            result[1] = Tensor(shape: inputs[1].shape, storage: dW)
        }
        if needed[2] {
            // Step s > 0 read hidden slot s (h₀ = 0 contributes nothing).
            let dW = TensorStorage(uninitializedCount: width * hidden)  // the GEMM writes zeros when T = 1
            gemm(
                dGates.pointer + batch * width, record.hiddens.pointer + batch * hidden, dW.pointer, m: width,
                n: hidden, k: (steps - 1) * batch, transposeA: true, transposeB: false)
            result[2] = Tensor(shape: inputs[2].shape, storage: dW)
        }
        if needed[3] || needed[4] {
            let dBias = TensorStorage(repeating: 0, count: width)
            for row in 0..<(steps * batch) {
                let dz = dGates.pointer + row * width
                for j in 0..<width { dBias.pointer[j] += dz[j] }
            }
            if needed[3] { result[3] = Tensor(shape: [width], storage: dBias) }
            if needed[4] { result[4] = Tensor(shape: [width], storage: needed[3] ? dBias.copy() : dBias) }
        }
        return result
    }
}
