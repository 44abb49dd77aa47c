// LSTMTests: the fused whole-sequence `Tensor.lstm` against a hand-computed sequence, against the same layer composed
// from per-step ops (matmul + `lstmCell`), and its gradients against finite differences.

import Testing

@testable import TensorCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The same LSTM from per-step ops: two matmuls and the fused cell per step, states stacked batch-first.
private func composedLSTM(_ p: [Tensor], reversed: Bool) throws(TensorError) -> Tensor {
    let (x, inputWeight, hiddenWeight, inputBias, hiddenBias) = (p[0], p[1], p[2], p[3], p[4])
    let (batch, steps, features, hidden) = (x.shape[0], x.shape[1], x.shape[2], hiddenWeight.shape[1])
    var h = try Tensor.zeros([batch, hidden])
    var c = h
    var states = [Tensor?](repeating: nil, count: steps)
    for t in reversed ? Array((0..<steps).reversed()) : Array(0..<steps) {
        let input = try x.sliced(alongAxis: 1, from: t, to: t + 1).reshaped(to: [batch, features])
        let gates =
            try Tensor.matmul(input, inputWeight, transposeB: true) + inputBias
            + Tensor.matmul(h, hiddenWeight, transposeB: true) + hiddenBias
        (h, c) = try Tensor.lstmCell(gates: gates, cell: c)
        states[t] = h
    }
    return try Tensor.stack(states.map { $0! }, alongAxis: 1)
}

private func fusedLSTM(_ p: [Tensor], reversed: Bool) throws(TensorError) -> Tensor {
    try Tensor.lstm(
        p[0], inputWeight: p[1], hiddenWeight: p[2], inputBias: p[3], hiddenBias: p[4], reversed: reversed)
}

/// Input `[N, T, I]`, weights and biases for hidden size `H`, spread over about ±1.5 (saturating some gates).
private func lstmOperands(batch: Int, steps: Int, features: Int, hidden: Int, salt: Int) -> [Tensor] {
    [
        sample([batch, steps, features], salt: salt), sample([4 * hidden, features], salt: salt + 1),
        sample([4 * hidden, hidden], salt: salt + 2), sample([4 * hidden], salt: salt + 3),
        sample([4 * hidden], salt: salt + 4),
    ]
}

@Suite("Fused LSTM")
struct LSTMTests {
    @Test func matchesAHandComputedSequence() throws {
        // One unit, two steps, x = (1, −2): every gate computed in Double from the definition.
        let p = try [
            Tensor(shape: [1, 2, 1], scalars: [1, -2]), Tensor(shape: [4, 1], scalars: [0.5, -0.25, 0.75, 1]),
            Tensor(shape: [4, 1], scalars: [0.3, 0.2, -0.4, 0.1]), Tensor([0.1, 0.2, 0.3, -0.1]),
            Tensor([0, -0.3, 0.05, 0.2]),
        ]
        func sigmoid(_ v: Double) -> Double { 1 / (1 + exp(-v)) }
        var (h, c) = (0.0, 0.0)
        var expected: [Float] = []
        for x in [1.0, -2.0] {
            let i = sigmoid(0.5 * x + 0.3 * h + 0.1)
            let f = sigmoid(-0.25 * x + 0.2 * h + 0.2 - 0.3)
            let g = tanh(0.75 * x - 0.4 * h + 0.3 + 0.05)
            let o = sigmoid(1 * x + 0.1 * h - 0.1 + 0.2)
            c = f * c + i * g
            h = o * tanh(c)
            expected.append(Float(h))
        }
        expectClose(try fusedLSTM(p, reversed: false), expected, tolerance: 1e-6)
        // Reversed: the same recurrence over (−2, 1), each state stored at its own position.
        var reversedP = p
        reversedP[0] = try Tensor(shape: [1, 2, 1], scalars: [-2, 1])
        let backwards = try fusedLSTM(reversedP, reversed: true).scalars
        expectClose(try Tensor(shape: [2], scalars: [backwards[1], backwards[0]]), expected, tolerance: 1e-6)
    }

    @Test func matchesTheComposedCellsForwardAndBackward() throws {
        // Hidden sizes on the SIMD path (8), the scalar tail only (3), and both (6).
        for (hidden, salt) in [(8, 200), (3, 210), (6, 220)] {
            for reversed in [false, true] {
                let operands = lstmOperands(batch: 3, steps: 4, features: 5, hidden: hidden, salt: salt)
                let leaves = operands.map { $0.requiringGradient() }
                let fused = try fusedLSTM(leaves, reversed: reversed)
                let composed = try composedLSTM(leaves, reversed: reversed)
                #expect(fused.shape == [3, 4, hidden])
                expectClose(fused, composed.scalars, tolerance: 1e-6)
                let weights = sample(fused.shape, salt: 99)
                let fusedGradients = try Tensor.gradients(of: (fused * weights).sum(), withRespectTo: leaves)
                let composedGradients = try Tensor.gradients(of: (composed * weights).sum(), withRespectTo: leaves)
                for (ours, reference) in zip(fusedGradients, composedGradients) {
                    expectClose(ours, reference.scalars, tolerance: 1e-5)
                }
            }
        }
    }

    @Test func gradientsMatchFiniteDifferences() throws {
        for reversed in [false, true] {
            // Every step's output, with a hidden size that takes both the SIMD path and the scalar tail.
            try expectGradientsMatch(
                lstmOperands(batch: 2, steps: 3, features: 3, hidden: 5, salt: 230), epsilon: 1e-3
            ) { (p) throws(TensorError) in
                try fusedLSTM(p, reversed: reversed)
            }
            // Only the last state (position T − 1, or 0 when reversed), as a layer without sequences returns.
            try expectGradientsMatch(
                lstmOperands(batch: 2, steps: 3, features: 2, hidden: 4, salt: 240), epsilon: 1e-3
            ) { (p) throws(TensorError) in
                let position = reversed ? 0 : 2
                return try fusedLSTM(p, reversed: reversed).sliced(alongAxis: 1, from: position, to: position + 1)
            }
        }
        // A single step (no recurrent product at all) and a stack of two layers.
        try expectGradientsMatch(lstmOperands(batch: 2, steps: 1, features: 3, hidden: 2, salt: 250), epsilon: 1e-3) {
            (p) throws(TensorError) in try fusedLSTM(p, reversed: false)
        }
        let first = lstmOperands(batch: 2, steps: 3, features: 2, hidden: 3, salt: 260)
        let second = Array(lstmOperands(batch: 2, steps: 3, features: 3, hidden: 2, salt: 270)[1...])
        try expectGradientsMatch(first + second, epsilon: 1e-3) { (p) throws(TensorError) in
            let lower = try fusedLSTM(Array(p[..<5]), reversed: false)
            return try fusedLSTM([lower] + Array(p[5...]), reversed: true)
        }
    }

    @Test func recordsOneGraphNodeAndChecksShapes() throws {
        let operands = lstmOperands(batch: 2, steps: 3, features: 2, hidden: 4, salt: 280)
        let output = try fusedLSTM(operands.map { $0.requiringGradient() }, reversed: false)
        #expect(output.node.map { node in node.state.withLock { $0.operation.name } } == "lstm")
        #expect(!(try fusedLSTM(operands, reversed: false)).requiresGradient)
        #expect(throws: TensorError.self) {
            try Tensor.lstm(
                operands[0], inputWeight: operands[2], hiddenWeight: operands[2], inputBias: operands[3],
                hiddenBias: operands[4])
        }
    }
}
