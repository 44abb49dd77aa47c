// EdgeCaseTests: scalars (rank 0) and empty tensors go through the ops without traps.

import Testing

@testable import TensorCore

@Suite("Edge cases")
struct EdgeCaseTests {
    @Test func scalarsBehaveLikeNumbers() throws {
        let a = Tensor(2).requiringGradient()
        let b = Tensor(3)
        let product = try a * b + a.squared()
        #expect(product.shape == [])
        #expect(try product.item() == 10)
        try product.backward()
        #expect(a.gradient?.scalars == [7])
        #expect(a.sum().shape == [])
        #expect(try a.reshaped(to: [1, 1]).shape == [1, 1])
        #expect(try (Tensor(1) + Tensor([1, 2])).scalars == [2, 3])
        #expect(try Tensor(5).mean().item() == 5)
    }

    @Test func emptyTensorsFlowThrough() throws {
        let empty = try Tensor.zeros([0, 3])
        #expect(try (empty + Tensor([1, 2, 3])).shape == [0, 3])
        #expect(empty.relu().shape == [0, 3])
        #expect(empty.exp().scalarCount == 0)
        #expect(try empty.sum(alongAxes: [0]).scalars == [0, 0, 0])
        #expect(try empty.sum(alongAxes: [1]).shape == [0])
        #expect(try empty.softmax(alongAxis: 1).shape == [0, 3])
        #expect(try empty.matmul(Tensor.ones([3, 2])).shape == [0, 2])
        #expect(try Tensor.zeros([2, 0]).matmul(Tensor.zeros([0, 4])).scalars == Array(repeating: 0, count: 8))
        #expect(try Tensor.concatenate([empty, Tensor.ones([1, 3])]).shape == [1, 3])
        #expect(try empty.transposed().shape == [3, 0])
        #expect(throws: TensorError.self) { try empty.max() }
        #expect(try Tensor.arange(from: 3, to: 1).scalarCount == 0)
        let leaf = try Tensor.zeros([0, 2]).requiringGradient()
        let loss = try (leaf * 2).sum()
        try loss.backward()
        #expect(leaf.gradient?.shape == [0, 2])
    }
}
