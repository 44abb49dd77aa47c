// FusedTests: bias + activation, softmax + cross-entropy, layer norm, LSTM cell, against PyTorch and the
// composed ops.

import Testing

@testable import TensorCore

@Suite("Fused kernels")
struct FusedTests {
    let m = try! Tensor([[1, 2, 3], [-1, 0.5, 4]])

    @Test func biasActivationMatchesComposedOps() throws {
        let x = sample([4, 5], salt: 70)
        let b = sample([5], salt: 71)
        for activation in Activation.allCases {
            let fused = try x.addingBias(b, activation: activation)
            let sum = try x + b
            let composed: Tensor =
                switch activation {
                case .identity: sum
                case .relu: sum.relu()
                case .sigmoid: sum.sigmoid()
                case .tanh: sum.tanh()
                }
            expectClose(fused, composed.scalars)
            try expectGradientsMatch([x, b], epsilon: 1e-3) { (p) throws(TensorError) in
                try p[0].addingBias(p[1], activation: activation)
            }
        }
        #expect(throws: TensorError.self) { try x.addingBias(Tensor([1, 2])) }
    }

    @Test func crossEntropyMatchesPyTorch() throws {
        let loss = try Tensor.softmaxCrossEntropy(logits: m, labels: IndexTensor([2, 0]))
        expectClose(loss, [2.721938])
        let huge = try Tensor.softmaxCrossEntropy(logits: Tensor([[0, 1000]]), labels: IndexTensor([0]))
        expectClose(huge, [1000])
        try expectGradientsMatch([sample([4, 5], salt: 72)], epsilon: 1e-3) { (p) throws(TensorError) in
            try Tensor.softmaxCrossEntropy(logits: p[0], labels: IndexTensor([0, 4, 2, 2]))
        }
        #expect(throws: TensorError.self) {
            try Tensor.softmaxCrossEntropy(logits: m, labels: IndexTensor([3, 0]))
        }
        // A sequence: [N, T, C] logits with [N, T] labels average over every position.
        let sequence = try Tensor.stack([m, m])
        let sequenceLoss = try Tensor.softmaxCrossEntropy(
            logits: sequence, labels: IndexTensor(shape: [2, 2], indices: [2, 0, 2, 0]))
        expectClose(sequenceLoss, [2.721938])
    }

    @Test func layerNormMatchesPyTorch() throws {
        let y = try m.layerNormalized(gamma: Tensor([1, 2, 0.5]), beta: Tensor([0.1, -0.2, 0.3]))
        expectClose(y, [-1.124736, -0.2, 0.912368, -0.934223, -0.836445, 0.976223])
        try expectGradientsMatch(
            [sample([3, 5], salt: 73), sample([5], salt: 74), sample([5], salt: 75)], epsilon: 1e-3
        ) { (p) throws(TensorError) in
            try p[0].layerNormalized(gamma: p[1], beta: p[2])
        }
    }

    @Test func lstmCellMatchesPyTorch() throws {
        let gates = try Tensor(shape: [1, 8], scalars: (0..<8).map { Float($0) * 0.1 - 0.6 })
        let (h, c) = try Tensor.lstmCell(gates: gates, cell: Tensor([[0.5, -0.25]]))
        expectClose(h, [0.064989, -0.075088])
        expectClose(c, [0.130717, -0.144018])
        try expectGradientsMatch([sample([3, 8], salt: 76), sample([3, 2], salt: 77)], epsilon: 1e-3) {
            (p) throws(TensorError) in
            let (h, c) = try Tensor.lstmCell(gates: p[0], cell: p[1])
            return try h * 2 + c
        }
        // Two steps through a recurrent weight, only the last hidden state used.
        try expectGradientsMatch(
            [sample([3, 8], salt: 78), sample([3, 2], salt: 79), sample([2, 8], salt: 85)], epsilon: 1e-3
        ) { (p) throws(TensorError) in
            let (h1, c1) = try Tensor.lstmCell(gates: p[0], cell: p[1])
            let (h2, _) = try Tensor.lstmCell(gates: p[0] + h1.matmul(p[2]), cell: c1)
            return h2
        }
    }

    /// `linear` (a dense layer's forward pass) against `matmul` then `addingBias`, for every activation, a batch of
    /// rows and a rank-3 input: on the inference path (the GEMM accumulating onto the bias) within 1e-6 relative of the
    /// two ops; while recording, the two ops themselves, with their gradients; bad shapes get the two ops' errors.
    @Test(arguments: Activation.allCases)
    func linearMatchesMatmulThenBias(activation: Activation) throws {
        let w = sample([7, 5], salt: 120)
        let bias = sample([7], salt: 121)
        for shape in [[32, 5], [2, 3, 5], [5]] {
            let x = sample(shape, salt: 122)
            let composed = try noGrad {
                try Tensor.matmul(x, w, transposeB: true).addingBias(bias, activation: activation)
            }
            let fused = try noGrad { try Tensor.linear(x, weight: w, bias: bias, activation: activation) }
            #expect(fused.shape == composed.shape && !fused.requiresGradient)
            expectClose(fused, composed.scalars, tolerance: 1e-6)
        }
        let x = sample([4, 5], salt: 123).requiringGradient()
        let tracked = try Tensor.linear(x, weight: w, bias: bias, activation: activation)
        let twoOps = try Tensor.matmul(x, w, transposeB: true).addingBias(bias, activation: activation)
        #expect(tracked.requiresGradient && tracked.scalars == twoOps.scalars)
        let gradient = try Tensor.gradients(of: tracked.sum(), withRespectTo: [x])[0]
        #expect(gradient.scalars == (try Tensor.gradients(of: twoOps.sum(), withRespectTo: [x])[0]).scalars)
        #expect(throws: TensorError.self) { try noGrad { try Tensor.linear(sample([3, 4]), weight: w, bias: bias) } }
        #expect(throws: TensorError.self) {
            try noGrad { try Tensor.linear(sample([3, 5]), weight: w, bias: Tensor([1, 2])) }
        }
    }
}
