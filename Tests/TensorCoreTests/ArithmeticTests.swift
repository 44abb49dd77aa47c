// ArithmeticTests: binary elementwise ops, broadcasting, comparisons, select.

import Testing

@testable import TensorCore

@Suite("Arithmetic")
struct ArithmeticTests {
    @Test func broadcastingShapes() throws {
        #expect(try Tensor.broadcastShape([2, 3], [3]) == [2, 3])
        #expect(try Tensor.broadcastShape([4, 1, 3], [5, 1]) == [4, 5, 3])
        #expect(try Tensor.broadcastShape([], [2]) == [2])
        #expect(throws: TensorError.self) { try Tensor.broadcastShape([2, 3], [2]) }
    }

    @Test func forwardValues() throws {
        let a = try Tensor([[1, 2, 3], [4, 5, 6]])
        let row = Tensor([10, 20, 30])
        let column = try Tensor([[1], [2]])
        #expect(try (a + row).scalars == [11, 22, 33, 14, 25, 36])
        #expect(try (a - column).scalars == [0, 1, 2, 2, 3, 4])
        #expect(try (a * column).scalars == [1, 2, 3, 8, 10, 12])
        #expect(try (row / a).scalars == [10, 10, 10, 2.5, 4, 5])
        #expect(try (column + row).shape == [2, 3])
        #expect((2 * a - 1).scalars == [1, 3, 5, 7, 9, 11])
        #expect((1 / Tensor([2, 4])).scalars == [0.5, 0.25])
        #expect(try Tensor([2, 3]).raised(to: Tensor([3, 2])).scalars == [8, 9])
        #expect(try Tensor.maximum(Tensor([1, 5]), Tensor([3, 2])).scalars == [3, 5])
        #expect(try Tensor.minimum(Tensor([1, 5]), Tensor(2)).scalars == [1, 2])
    }

    @Test func comparisonsAndSelect() throws {
        let a = Tensor([1, 2, 3])
        let b = Tensor(2)
        #expect(try a.greater(than: b).scalars == [0, 0, 1])
        #expect(try a.greaterOrEqual(to: b).scalars == [0, 1, 1])
        #expect(try a.less(than: b).scalars == [1, 0, 0])
        #expect(try a.lessOrEqual(to: b).scalars == [1, 1, 0])
        #expect(try a.equal(to: b).scalars == [0, 1, 0])
        #expect(try Tensor.select(where: Tensor([1, 0, 1]), a, Tensor(-1)).scalars == [1, -1, 3])
    }

    @Test func gradientsWithBroadcasting() throws {
        let a = sample([3, 1, 4], salt: 1)
        let b = sample([5, 1], salt: 2)
        let positive = sample([5, 1], salt: 3, positive: true)
        try expectGradientsMatch([a, b]) { (x) throws(TensorError) in try x[0] + x[1] }
        try expectGradientsMatch([a, b]) { (x) throws(TensorError) in try x[0] - x[1] }
        try expectGradientsMatch([a, b]) { (x) throws(TensorError) in try x[0] * x[1] }
        try expectGradientsMatch([a, positive]) { (x) throws(TensorError) in try x[0] / x[1] }
        try expectGradientsMatch([sample([2, 3], salt: 4, positive: true), sample([3], salt: 5)]) {
            (x) throws(TensorError) in try x[0].raised(to: x[1])
        }
        try expectGradientsMatch([a, b], epsilon: 1e-4) { (x) throws(TensorError) in try Tensor.maximum(x[0], x[1]) }
        try expectGradientsMatch([a, b], epsilon: 1e-4) { (x) throws(TensorError) in try Tensor.minimum(x[0], x[1]) }
        let mask = try sample([3, 5, 4], salt: 6).greater(than: Tensor(0))
        try expectGradientsMatch([a, b]) { (x) throws(TensorError) in try Tensor.select(where: mask, x[0], x[1]) }
    }

    @Test func handDerivedGradients() throws {
        let a = Tensor([1, 2, 3]).requiringGradient()
        let b = Tensor([4, 5, 6]).requiringGradient()
        try (a * b).sum().backward()
        #expect(a.gradient?.scalars == [4, 5, 6])
        #expect(b.gradient?.scalars == [1, 2, 3])
    }
}
