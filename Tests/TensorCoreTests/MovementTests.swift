// MovementTests: reshape, flatten, permute, squeeze, slicing, concatenate, stack, split, pad, repeat, expand.

import Testing

@testable import TensorCore

@Suite("Movement")
struct MovementTests {
    let x = try! Tensor.arange(to: 24).reshaped(to: [2, 3, 4])

    @Test func forwardValues() throws {
        #expect(try x.reshaped(to: [4, -1]).shape == [4, 6])
        #expect(try x.flattened(from: 1).shape == [2, 12])
        #expect(try x.flattened().shape == [24])
        let permuted = try x.permuted([2, 0, 1])
        #expect(permuted.shape == [4, 2, 3])
        #expect(Array(permuted.scalars[0..<6]) == [0, 4, 8, 12, 16, 20])
        #expect(try x.transposed().shape == [2, 4, 3])
        #expect(try Tensor([[1, 2, 3]]).transposed().scalars == [1, 2, 3])
        #expect(try x.unsqueezed(at: 1).shape == [2, 1, 3, 4])
        #expect(try x.unsqueezed(at: -1).shape == [2, 3, 4, 1])
        #expect(try x.unsqueezed(at: 0).squeezed(axis: 0).shape == [2, 3, 4])
        #expect(try Tensor.zeros([1, 3, 1]).squeezed().shape == [3])
        #expect(try x.sliced(alongAxis: 2, from: 1, step: 2).scalars == [1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23])
        #expect(try x.sliced(alongAxis: 1, from: -1).scalars == [8, 9, 10, 11, 20, 21, 22, 23])
        #expect(try x.sliced(alongAxis: 0, from: 5).shape == [0, 3, 4])
        let joined = try Tensor.concatenate([Tensor([[1, 2]]), Tensor([[3, 4], [5, 6]])], alongAxis: 0)
        #expect(joined.shape == [3, 2])
        #expect(joined.scalars == [1, 2, 3, 4, 5, 6])
        let side = try Tensor.concatenate([Tensor([[1], [2]]), Tensor([[3, 4], [5, 6]])], alongAxis: 1)
        #expect(side.scalars == [1, 3, 4, 2, 5, 6])
        #expect(try Tensor.stack([Tensor([1, 2]), Tensor([3, 4])], alongAxis: 1).scalars == [1, 3, 2, 4])
        let pieces = try Tensor.arange(to: 6).split(sizes: [2, 4])
        #expect(pieces.map(\.scalars) == [[0, 1], [2, 3, 4, 5]])
        #expect(try Tensor.arange(to: 6).split(count: 3).count == 3)
        #expect(try Tensor([[1, 2]]).padded([(1, 0), (0, 2)], value: 9).scalars == [9, 9, 9, 9, 1, 2, 9, 9])
        #expect(try Tensor([1, 2]).repeated([3]).scalars == [1, 2, 1, 2, 1, 2])
        #expect(try Tensor([[1, 2]]).repeated([2, 2]).scalars == [1, 2, 1, 2, 1, 2, 1, 2])
        #expect(try Tensor([[1], [2]]).expanded(to: [2, 3]).scalars == [1, 1, 1, 2, 2, 2])
    }

    @Test func invalidArgumentsThrow() {
        #expect(throws: TensorError.self) { try x.reshaped(to: [5, -1]) }
        #expect(throws: TensorError.self) { try x.permuted([0, 0, 1]) }
        #expect(throws: TensorError.self) { try x.squeezed(axis: 0) }
        #expect(throws: TensorError.self) { try x.sliced(alongAxis: 0, step: 0) }
        #expect(throws: TensorError.self) { try Tensor.concatenate([x, Tensor.zeros([2, 2, 4])], alongAxis: 0) }
        #expect(throws: TensorError.self) { try x.split(sizes: [1, 2]) }
        #expect(throws: TensorError.self) { try x.expanded(to: [3, 4]) }
    }

    @Test func gradientsMatchFiniteDifferences() throws {
        let input = sample([3, 4, 5], salt: 30)
        try expectGradientsMatch([input]) { (p) throws(TensorError) in try p[0].reshaped(to: [5, 12]) }
        try expectGradientsMatch([input]) { (p) throws(TensorError) in try p[0].permuted([1, 2, 0]) }
        try expectGradientsMatch([input]) { (p) throws(TensorError) in
            try p[0].sliced(alongAxis: 2, from: 1, to: 5, step: 2)
        }
        try expectGradientsMatch([input, sample([3, 2, 5], salt: 31)]) { (p) throws(TensorError) in
            try Tensor.concatenate([p[0], p[1]], alongAxis: 1)
        }
        try expectGradientsMatch([input, input]) { (p) throws(TensorError) in try Tensor.stack(p, alongAxis: 3) }
        try expectGradientsMatch([input]) { (p) throws(TensorError) in try p[0].split(sizes: [1, 3], alongAxis: 1)[1] }
        try expectGradientsMatch([input]) { (p) throws(TensorError) in try p[0].padded([(0, 1), (2, 0), (1, 1)]) }
        try expectGradientsMatch([sample([2, 3], salt: 32)]) { (p) throws(TensorError) in try p[0].repeated([2, 3]) }
        try expectGradientsMatch([sample([3, 1], salt: 33)]) { (p) throws(TensorError) in
            try p[0].expanded(to: [2, 3, 4])
        }
    }
}
