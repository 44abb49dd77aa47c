// ReductionTests: sums, means, extrema, arg-extrema, variance, logsumexp; softmax and log-softmax.

import Testing

@testable import TensorCore

@Suite("Reductions")
struct ReductionTests {
    let m = try! Tensor([[1, 2, 3], [-1, 0.5, 4]])

    @Test func forwardValues() throws {
        #expect(m.sum().scalars == [9.5])
        #expect(try m.sum(alongAxes: [0]).scalars == [0, 2.5, 7])
        #expect(try m.sum(alongAxes: [1], keepingDimensions: true).shape == [2, 1])
        #expect(try m.sum(alongAxes: [-1]).scalars == [6, 3.5])
        expectClose(try m.mean(alongAxes: [1]), [2, 3.5 / 3])
        #expect(try m.max(alongAxes: [1]).scalars == [3, 4])
        #expect(try m.min(alongAxes: [0]).scalars == [-1, 0.5, 3])
        #expect(try m.max().scalars == [4])
        #expect(try m.argmax(alongAxis: 1).indices == [2, 2])
        #expect(try m.argmin(alongAxis: 0).indices == [1, 1, 0])
        expectClose(try m.variance(alongAxes: [1]), [0.666667, 4.388889])
        expectClose(try m.variance(alongAxes: [1], correction: 1), [1, 6.583333])
        expectClose(try m.standardDeviation(alongAxes: [0]), [1, 0.75, 0.5])
        expectClose(try m.logSumExp(alongAxes: [1]), [3.407606, 4.03627])
        let cube = sample([2, 3, 4], salt: 1)
        let bothAxes = try cube.sum(alongAxes: [0, 2])
        let stepwise = try cube.sum(alongAxes: [2]).sum(alongAxes: [0])
        expectClose(bothAxes, stepwise.scalars)
        // A long contiguous sum exercises the SIMD path.
        #expect(try Tensor.ones([1000]).sum().item() == 1000)
        #expect(throws: TensorError.self) { try m.sum(alongAxes: [2]) }
    }

    @Test func softmaxMatchesPyTorch() throws {
        expectClose(try m.softmax(alongAxis: 1), [0.090031, 0.244728, 0.665241, 0.006498, 0.029122, 0.96438])
        expectClose(
            try m.logSoftmax(alongAxis: 0), [-0.126928, -0.201413, -1.313262, -2.126928, -1.701413, -0.313262])
        // Large logits do not overflow.
        expectClose(try Tensor([1000, 1000]).softmax(), [0.5, 0.5])
        expectClose(try Tensor([1000, 0]).logSoftmax(), [0, -1000])
    }

    @Test func gradientsMatchFiniteDifferences() throws {
        let x = sample([3, 4, 5], salt: 20)
        try expectGradientsMatch([x]) { (x) throws(TensorError) in x[0].sum() }
        try expectGradientsMatch([x]) { (x) throws(TensorError) in try x[0].sum(alongAxes: [0, 2]) }
        try expectGradientsMatch([x]) { (x) throws(TensorError) in
            try x[0].mean(alongAxes: [1], keepingDimensions: true)
        }
        try expectGradientsMatch([x], epsilon: 1e-4) { (x) throws(TensorError) in try x[0].max(alongAxes: [2]) }
        try expectGradientsMatch([x], epsilon: 1e-4) { (x) throws(TensorError) in try x[0].min(alongAxes: [0, 1]) }
        try expectGradientsMatch([x]) { (x) throws(TensorError) in try x[0].variance(alongAxes: [1], correction: 1) }
        try expectGradientsMatch([x]) { (x) throws(TensorError) in try x[0].standardDeviation(alongAxes: [2]) }
        try expectGradientsMatch([x]) { (x) throws(TensorError) in try x[0].logSumExp(alongAxes: [1]) }
        try expectGradientsMatch([x], epsilon: 1e-3) { (x) throws(TensorError) in try x[0].softmax(alongAxis: 1) }
        try expectGradientsMatch([x], epsilon: 1e-3) { (x) throws(TensorError) in try x[0].logSoftmax(alongAxis: -1) }
    }

    @Test func tiedMaximaShareTheGradient() throws {
        let x = Tensor([1, 3, 3]).requiringGradient()
        try x.max().backward()
        #expect(x.gradient?.scalars == [0, 0.5, 0.5])
    }
}
