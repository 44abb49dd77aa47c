// MatMulTests: matrix and batched products, transpose flags, vector operands, gradients.

import Testing

@testable import TensorCore

@Suite("MatMul")
struct MatMulTests {
    let a = try! Tensor([[1, 2, 3], [4, 5, 6]])
    let b = try! Tensor([[1, 0], [0, 1], [2, -1]])

    @Test func forwardValues() throws {
        let product = try a.matmul(b)
        #expect(product.shape == [2, 2])
        #expect(product.scalars == [7, -1, 16, -1])
        #expect(try Tensor.matmul(a, a, transposeB: true).scalars == [14, 32, 32, 77])
        #expect(try Tensor.matmul(a, a, transposeA: true).shape == [3, 3])
        #expect(try Tensor.matmul(b, a, transposeA: true, transposeB: true).scalars == [7, 16, -1, -1])
        #expect(try a.matmul(Tensor([1, 1, 1])).scalars == [6, 15])
        #expect(try Tensor([1, 1]).matmul(a).scalars == [5, 7, 9])
    }

    @Test func batchedProductsBroadcast() throws {
        let batch = try Tensor.stack([a, 2 * a, -a])  // [3, 2, 3]
        let product = try batch.matmul(b)
        #expect(product.shape == [3, 2, 2])
        #expect(product.scalars == [7, -1, 16, -1, 14, -2, 32, -2, -7, 1, -16, 1])
        let pairs = try Tensor.matmul(batch, Tensor.stack([b, b, b]))
        #expect(pairs.scalars == product.scalars)
        let broadcastLeft = try Tensor.matmul(a, Tensor.stack([b, 2 * b]))
        #expect(broadcastLeft.shape == [2, 2, 2])
        #expect(Array(broadcastLeft.scalars[4...]) == [14, -2, 32, -2])
    }

    @Test(arguments: [(1, 1, 1), (37, 53, 29), (64, 64, 64), (3, 200, 5)])
    func matchesAFloat64Product(m: Int, k: Int, n: Int) throws {
        let a = sample([m, k], salt: 11)
        let b = sample([k, n], salt: 12)
        let product = try a.matmul(b)
        let (left, right) = (a.scalars, b.scalars)
        var expected: [Float] = []
        for row in 0..<m {
            for column in 0..<n {
                var total = 0.0
                for inner in 0..<k { total += Double(left[row * k + inner]) * Double(right[inner * n + column]) }
                expected.append(Float(total))
            }
        }
        expectClose(product, expected, tolerance: 1e-5)
        let transposed = try Tensor.matmul(a.transposed(), b.transposed(), transposeA: true, transposeB: true)
        expectClose(transposed, expected, tolerance: 1e-5)
    }

    @Test func mismatchesThrow() {
        #expect(throws: TensorError.self) { try a.matmul(a) }
        #expect(throws: TensorError.self) { try Tensor.matmul(Tensor.zeros([2, 2, 3]), Tensor.zeros([3, 3, 4])) }
    }

    @Test func gradientsMatchFiniteDifferences() throws {
        let x = sample([5, 3], salt: 1)
        let w = sample([3, 7], salt: 2)
        try expectGradientsMatch([x, w]) { (p) throws(TensorError) in try p[0].matmul(p[1]) }
        try expectGradientsMatch([sample([3, 5], salt: 3), w]) { (p) throws(TensorError) in
            try Tensor.matmul(p[0], p[1], transposeA: true)
        }
        try expectGradientsMatch([x, sample([7, 3], salt: 4)]) { (p) throws(TensorError) in
            try Tensor.matmul(p[0], p[1], transposeB: true)
        }
        try expectGradientsMatch([sample([3, 5], salt: 5), sample([7, 3], salt: 6)]) { (p) throws(TensorError) in
            try Tensor.matmul(p[0], p[1], transposeA: true, transposeB: true)
        }
        try expectGradientsMatch([sample([2, 4, 3], salt: 7), w]) { (p) throws(TensorError) in try p[0].matmul(p[1]) }
        try expectGradientsMatch([sample([2, 1, 4, 3], salt: 8), sample([3, 3, 2], salt: 9)]) {
            (p) throws(TensorError) in try p[0].matmul(p[1])
        }
        try expectGradientsMatch([sample([3], salt: 10), w]) { (p) throws(TensorError) in try p[0].matmul(p[1]) }
    }
}
