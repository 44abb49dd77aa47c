// AutodiffTests: the reverse sweep, accumulation, noGrad, detach, input gradients, graph release, deep graphs,
// non-finite detection.

import Testing

@testable import TensorCore

@Suite("Autodiff")
struct AutodiffTests {
    @Test func diamondGraphSumsBothPaths() throws {
        let x = Tensor([1, 2, 3]).requiringGradient()
        let y = try x * x + x  // dy/dx = 2x + 1
        try y.sum().backward()
        #expect(x.gradient?.scalars == [3, 5, 7])
    }

    @Test func gradientsAccumulateUntilCleared() throws {
        let x = Tensor([1, 2]).requiringGradient()
        try (x * 3).sum().backward()
        try (x * 3).sum().backward()
        #expect(x.gradient?.scalars == [6, 6])
        x.clearGradient()
        #expect(x.gradient == nil)
    }

    @Test func noGradAndDetachStopRecording() throws {
        let x = Tensor([1, 2]).requiringGradient()
        let inside = noGrad { x * 2 }
        #expect(!inside.requiresGradient)
        #expect(!Tensor.isRecordingGradients == false)
        let y = try (x * x.detached()).sum()
        try y.backward()
        #expect(x.gradient?.scalars == [1, 2])  // only the non-detached path
    }

    @Test func backwardWithoutAGraphThrows() throws {
        #expect(throws: TensorError.self) { try Tensor([1, 2]).sum().backward() }
        let x = Tensor([1, 2]).requiringGradient()
        #expect(throws: TensorError.self) { try noGrad { () throws(TensorError) in try (x * 2).sum() }.backward() }
        #expect(throws: TensorError.self) { try (x * 2).backward() }  // not one element
    }

    @Test func gradientsWithRespectToInputs() throws {
        let w = Tensor([2, -1]).requiringGradient()
        let input = Tensor([3, 4]).requiringGradient()
        let loss = try (w * input).sum()
        let gradients = try Tensor.gradients(of: loss, withRespectTo: [input, w, Tensor([0, 0]).requiringGradient()])
        #expect(gradients[0].scalars == [2, -1])
        #expect(gradients[1].scalars == [3, 4])
        #expect(gradients[2].scalars == [0, 0])
        #expect(w.gradient == nil)  // `gradients(of:)` does not accumulate
    }

    @Test func graphIsReleasedAfterBackward() throws {
        let x = Tensor([1, 2]).requiringGradient()
        let loss = try (x.exp() * x).sum()
        try loss.backward()
        #expect(throws: TensorError.self) { try loss.backward() }
        let kept = try (x.exp() * x).sum()
        try kept.backward(retainingGraph: true)
        try kept.backward()
        // Saved tensors are gone from released nodes.
        let node = try #require(kept.node)
        #expect(node.state.withLock { $0.inputs.isEmpty })
    }

    @Test func unrolledRecurrenceOfAThousandStepsDoesNotOverflowTheStack() throws {
        var generator = RandomGenerator(seed: 7)
        let w = try (Tensor.normal([8, 8], using: &generator) * 0.3).requiringGradient()
        let x = try Tensor.normal([4, 8], using: &generator)
        var h = try Tensor.zeros([4, 8])
        for _ in 0..<1000 { h = try (h.matmul(w) + x).tanh() }
        try h.sum().backward()
        let gradient = try #require(w.gradient)
        #expect(gradient.scalars.allSatisfy { $0.isFinite })
        // And a plain 20 000-node chain.
        let p = Tensor([1]).requiringGradient()
        var y = p
        for _ in 0..<20_000 { y = y + 1 }
        try y.sum().backward()
        #expect(p.gradient?.scalars == [1])
    }

    @Test func parametersUpdateInPlaceAndKeepTheirGradient() throws {
        var w = Tensor([1, 2]).requiringGradient()
        try (w * w).sum().backward()
        let step = try #require(w.gradient)
        w.withUnsafeMutableBufferPointer { values in
            for index in values.indices { values[index] -= 0.5 * step.scalars[index] }
        }
        #expect(w.scalars == [0, 0])
        #expect(w.gradient?.scalars == [2, 4])
        #expect(w.requiresGradient)
    }

    @Test func nonFiniteDetectionNamesTheFirstOp() throws {
        #expect(throws: TensorError.self) {
            try Tensor.detectingNonFinite { () throws(TensorError) in
                let x = Tensor([1, -1])
                _ = x.log().exp()
            }
        }
        do {
            try Tensor.detectingNonFinite { () throws(TensorError) in _ = (Tensor([1, 0]).log() * 2).sum() }
        } catch {
            #expect(error.operation == "log")
            #expect(error.description == "log: [2]: produced Inf (first non-finite op)")
        }
        let fine = try Tensor.detectingNonFinite { () throws(TensorError) in Tensor([1, 2]).exp() }
        #expect(fine.scalarCount == 2)
    }

    @Test func tensorsCrossTasks() async throws {
        let x = Tensor([1, 2, 3])
        let results = await withTaskGroup(of: Float.self) { group in
            for scale in 1...4 { group.addTask { (x * Float(scale)).sum().scalars[0] } }
            var total: [Float] = []
            for await value in group { total.append(value) }
            return total.sorted()
        }
        #expect(results == [6, 12, 18, 24])
    }
}
