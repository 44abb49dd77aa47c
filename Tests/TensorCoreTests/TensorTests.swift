// TensorTests: storage, shapes, creation, copy-on-write, description.

import Testing

@testable import TensorCore

@Suite("Tensor")
struct TensorTests {
    @Test func storageIs64ByteAligned() {
        for count in [1, 3, 17, 1000] {
            let tensor = Tensor.filled([count], with: 1)
            #expect(Int(bitPattern: tensor.storage.pointer) % 64 == 0)
        }
    }

    @Test func createsFromNestedArrays() throws {
        let matrix = try Tensor([[1, 2, 3], [4, 5, 6]])
        #expect(matrix.shape == [2, 3])
        #expect(matrix.scalars == [1, 2, 3, 4, 5, 6])
        let cube = try Tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]])
        #expect(cube.shape == [2, 2, 2])
        #expect(Tensor(3).shape == [])
        #expect(try Tensor(3).item() == 3)
    }

    @Test func raggedAndMismatchedInputsThrow() {
        #expect(throws: TensorError.self) { try Tensor([[1, 2], [3]]) }
        #expect(throws: TensorError.self) { try Tensor(shape: [2, 2], scalars: [1, 2, 3]) }
        #expect(throws: TensorError.self) { try Tensor.zeros([-1, 2]) }
        #expect(throws: TensorError.self) { try Tensor([1, 2]).item() }
    }

    @Test func creationOps() throws {
        #expect(try Tensor.zeros([2, 2]).scalars == [0, 0, 0, 0])
        #expect(try Tensor.ones([3]).scalars == [1, 1, 1])
        #expect(try Tensor.full([2], value: 7).scalars == [7, 7])
        #expect(try Tensor.arange(to: 5).scalars == [0, 1, 2, 3, 4])
        #expect(try Tensor.arange(from: 1, to: 2, step: 0.25).scalars == [1, 1.25, 1.5, 1.75])
        #expect(try Tensor.linspace(from: 0, through: 1, count: 5).scalars == [0, 0.25, 0.5, 0.75, 1])
        #expect(try Tensor.eye(3).scalars == [1, 0, 0, 0, 1, 0, 0, 0, 1])
        let hot = try Tensor.oneHot(IndexTensor([2, 0]), classes: 3)
        #expect(hot.shape == [2, 3])
        #expect(hot.scalars == [0, 0, 1, 1, 0, 0])
        #expect(throws: TensorError.self) { try Tensor.oneHot(IndexTensor([3]), classes: 3) }
    }

    @Test func copyOnWriteKeepsValueSemantics() {
        let original = Tensor([1, 2, 3])
        var copy = original
        copy.withUnsafeMutableBufferPointer { $0[0] = 10 }
        #expect(original.scalars == [1, 2, 3])
        #expect(copy.scalars == [10, 2, 3])
    }

    @Test func descriptionIsReadable() throws {
        #expect(try Tensor([[1, 2], [3, 4.5]]).description == "Tensor(shape: [2, 2], [[1., 2.], [3., 4.5]])")
        #expect(try Tensor.arange(to: 10).description.contains("…"))
    }

    @Test func errorMessagesNameOpAndShapes() throws {
        let a = try Tensor.zeros([32, 64])
        let b = try Tensor.zeros([128, 10])
        #expect(throws: TensorError("matmul", shapes: [[32, 64], [128, 10]], "inner dimensions 64 and 128 differ")) {
            try Tensor.matmul(a, b)
        }
        do {
            _ = try Tensor.matmul(a, b)
        } catch {
            #expect(error.description == "matmul: [32, 64] × [128, 10]: inner dimensions 64 and 128 differ")
        }
        do {
            _ = try Tensor.zeros([2, 3]) + Tensor.zeros([4])
        } catch {
            #expect(
                error.description == "add: [2, 3] × [4]: shapes do not broadcast: extents 3 and 4 differ at axis -1")
        }
    }
}
