// IndexingTests: index-select, embedding, gather.

import Testing

@testable import TensorCore

@Suite("Indexing")
struct IndexingTests {
    let table = try! Tensor([[0, 1], [10, 11], [20, 21]])

    @Test func forwardValues() throws {
        #expect(try table.indexSelect(IndexTensor([2, 0, 2])).scalars == [20, 21, 0, 1, 20, 21])
        #expect(try table.indexSelect(IndexTensor([1]), alongAxis: 1).scalars == [1, 11, 21])
        let lookup = try table.embedding(IndexTensor(shape: [2, 2], indices: [0, 1, 2, 2]))
        #expect(lookup.shape == [2, 2, 2])
        #expect(lookup.scalars == [0, 1, 10, 11, 20, 21, 20, 21])
        let picked = try table.gather(IndexTensor(shape: [3, 1], indices: [1, 0, 1]), alongAxis: 1)
        #expect(picked.scalars == [1, 10, 21])
        #expect(throws: TensorError.self) { try table.indexSelect(IndexTensor([3])) }
        #expect(throws: TensorError.self) { try table.gather(IndexTensor([0]), alongAxis: 1) }
    }

    @Test func gradientsAccumulateRepeatedIndices() throws {
        let leaf = table.requiringGradient()
        try leaf.embedding(IndexTensor([2, 2, 0])).sum().backward()
        #expect(leaf.gradient?.scalars == [1, 1, 0, 0, 2, 2])
        let input = sample([4, 3, 2], salt: 40)
        try expectGradientsMatch([input]) { (p) throws(TensorError) in
            try p[0].indexSelect(IndexTensor([3, 0, 3]), alongAxis: 0)
        }
        try expectGradientsMatch([input]) { (p) throws(TensorError) in
            try p[0].gather(
                IndexTensor(shape: [4, 2, 2], indices: [0, 1, 2, 2, 1, 1, 0, 0, 2, 1, 0, 2, 1, 0, 0, 0]), alongAxis: 1)
        }
    }
}
