// MemoryBudgetTests: every op whose result can outgrow its operands throws a memory error instead of ending the process.

import Testing

@testable import TensorCore

/// Each test runs its op under a small scoped limit (task-local, so tests in parallel keep theirs) and asks for far
/// more, so the outcome does not depend on the machine's memory or on what other tests hold.
@Suite("Memory budget")
struct MemoryBudgetTests {
    static let limit = 64 << 20  // 64 MiB

    /// Runs `body` under the small limit and checks it throws a memory error for `operation`.
    func expectMemoryError(
        _ operation: String, requesting bytes: Int?? = .none, sourceLocation: SourceLocation = #_sourceLocation,
        _ body: () throws -> Void
    ) {
        let outcome = MemoryBudget.withLimit(Self.limit) { () -> (any Error)? in
            do {
                try body()
                return nil
            } catch {
                return error
            }
        }
        guard let outcome else {
            Issue.record("\(operation) did not throw", sourceLocation: sourceLocation)
            return
        }
        guard let error = outcome as? TensorError else {
            Issue.record("\(operation) threw \(outcome)", sourceLocation: sourceLocation)
            return
        }
        #expect(error.isOutOfMemory, "\(error)", sourceLocation: sourceLocation)
        #expect(error.operation == operation, "\(error)", sourceLocation: sourceLocation)
        #expect(error.memoryShortfall?.limitBytes == Self.limit, sourceLocation: sourceLocation)
        if let bytes { #expect(error.memoryShortfall?.requestedBytes == bytes, sourceLocation: sourceLocation) }
        if error.memoryShortfall?.requestedBytes != nil {
            #expect(error.description.contains("cannot allocate"), "\(error)", sourceLocation: sourceLocation)
            #expect(error.description.contains("64.0 MiB memory limit"), "\(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func theIssueExampleFailsWithTheSizeAndTheMemoryAvailable() throws {
        // The default limit: 40 GB is more than 3/4 of any machine this runs on… unless it has over 53 GB; then a
        // thousand times more.
        let error = #expect(throws: TensorError.self) { try Tensor.zeros([100_000, 100_000, 1000]) }
        #expect(error?.isOutOfMemory == true)
        #expect(error?.memoryShortfall?.requestedBytes == 40_000_000_000_000)
        #expect(error?.description.hasPrefix("zeros: [100000, 100000, 1000]: cannot allocate 36.4 TiB") == true)
        // The process goes on: small tensors still work.
        #expect(try Tensor.zeros([2, 2]).scalars == [0, 0, 0, 0])
    }

    @Test func creation() {
        expectMemoryError("zeros", requesting: 4 << 30) { _ = try Tensor.zeros([1 << 15, 1 << 15]) }
        expectMemoryError("ones") { _ = try Tensor.ones([1 << 15, 1 << 15]) }
        expectMemoryError("full") { _ = try Tensor.full([1 << 15, 1 << 15], value: 3) }
        expectMemoryError("arange") { _ = try Tensor.arange(to: 1e9) }
        expectMemoryError("arange", requesting: .some(nil)) { _ = try Tensor.arange(to: 1e30) }
        expectMemoryError("linspace") { _ = try Tensor.linspace(from: 0, through: 1, count: 1 << 30) }
        expectMemoryError("eye") { _ = try Tensor.eye(1 << 20) }
        expectMemoryError("oneHot") { _ = try Tensor.oneHot(IndexTensor([0, 1, 2]), classes: 1 << 30) }
        // A vector from an array needs no check (the array already holds the scalars), but a shape that overflows does.
        expectMemoryError("init(shape:scalars:)", requesting: .some(nil)) {
            _ = try Tensor(shape: [1 << 32, 1 << 32], scalars: [])
        }
    }

    @Test func shapeProductsThatOverflowAreMemoryErrors() throws {
        expectMemoryError("zeros", requesting: .some(nil)) { _ = try Tensor.zeros([1 << 32, 1 << 32]) }
        // 2⁶² scalars fit in Int, but not their 2⁶⁴ bytes.
        expectMemoryError("zeros", requesting: .some(nil)) { _ = try Tensor.zeros([1 << 31, 1 << 31]) }
        expectMemoryError("reshape", requesting: .some(nil)) {
            _ = try Tensor.zeros([0]).reshaped(to: [1 << 32, 1 << 32])
        }
        expectMemoryError("pad", requesting: .some(nil)) { _ = try Tensor([1]).padded([(Int.max, Int.max)]) }
        let image = try Tensor.zeros([1, 1, 2, 2]), kernel = try Tensor.zeros([1, 1, 1, 1])
        expectMemoryError("conv2d", requesting: .some(nil)) {
            _ = try image.conv2d(weight: kernel, padding: (Int.max / 2, 0))
        }
        #expect(MemoryBudget.scalarCount(of: [1 << 32, 1 << 32]) == nil)
        #expect(MemoryBudget.scalarCount(of: [3, 0, 1 << 62, 1 << 62]) == 0)  // empty, whatever the other extents
        #expect(MemoryBudget.scalarCount(of: [2, 3]) == 6)
    }

    @Test func random() {
        var generator = RandomGenerator(seed: 0)
        expectMemoryError("uniform") { _ = try Tensor.uniform([1 << 15, 1 << 15], using: &generator) }
        expectMemoryError("normal") { _ = try Tensor.normal([1 << 15, 1 << 15], using: &generator) }
        expectMemoryError("bernoulli") {
            _ = try Tensor.bernoulli([1 << 15, 1 << 15], probability: 0.5, using: &generator)
        }
        expectMemoryError("dropoutMask") {
            _ = try Tensor.dropoutMask([1 << 15, 1 << 15], dropProbability: 0.5, using: &generator)
        }
        expectMemoryError("uniform") {
            _ = try Tensor.glorotUniform([1 << 15, 1 << 15], fanIn: 1, fanOut: 1, using: &generator)
        }
        expectMemoryError("permutation") { _ = try Tensor.permutation(1 << 30, using: &generator) }
    }

    @Test func broadcastingBinaryOpsAndComparisons() throws {
        let column = try Tensor.zeros([1 << 15, 1]), row = try Tensor.zeros([1, 1 << 15])
        expectMemoryError("add", requesting: 4 << 30) { _ = try column + row }
        expectMemoryError("multiply") { _ = try column * row }
        expectMemoryError("maximum") { _ = try Tensor.maximum(column, row) }
        expectMemoryError("greater") { _ = try column.greater(than: row) }
        expectMemoryError("select") { _ = try Tensor.select(where: column, column, row) }
        expectMemoryError("expand") { _ = try column.expanded(to: [1 << 15, 1 << 15]) }
        // Results no larger than an operand do not check: the operand already fits.
        let sum = try MemoryBudget.withLimit(1) { () throws(TensorError) -> Tensor in try column + column }
        #expect(sum.shape == [1 << 15, 1])
    }

    @Test func matmulConvolutionAndLSTM() throws {
        // Operands are made outside the small limit: other tests running alongside may hold more than it.
        let column = try Tensor.zeros([1 << 15, 1]), row = try Tensor.zeros([1, 1 << 15])
        expectMemoryError("matmul", requesting: 4 << 30) { _ = try Tensor.matmul(column, row) }
        // The im2col matrix of a 100×100 kernel over a 300×300 image: 10⁴ × 201² scalars.
        let image = try Tensor.zeros([1, 1, 300, 300]), kernel = try Tensor.zeros([1, 1, 100, 100])
        expectMemoryError("conv2d") { _ = try image.conv2d(weight: kernel) }
        let hidden = 256
        let input = try Tensor.zeros([64, 1000, 1])
        let inputWeight = try Tensor.zeros([4 * hidden, 1]), hiddenWeight = try Tensor.zeros([4 * hidden, hidden])
        let bias = try Tensor.zeros([4 * hidden])
        expectMemoryError("lstm") {
            _ = try Tensor.lstm(
                input, inputWeight: inputWeight, hiddenWeight: hiddenWeight, inputBias: bias, hiddenBias: bias)
        }
    }

    @Test func movementAndIndexing() throws {
        let block = try Tensor.zeros([1024, 1024])  // 4 MiB
        expectMemoryError("concatenate") { _ = try Tensor.concatenate(Array(repeating: block, count: 100)) }
        expectMemoryError("concatenate") { _ = try Tensor.stack(Array(repeating: block, count: 100)) }
        expectMemoryError("pad") { _ = try block.padded([(1 << 20, 0)]) }
        expectMemoryError("expand") { _ = try block.repeated([100, 1]) }
        let empty = try Tensor.zeros([0])
        expectMemoryError("split") { _ = try empty.split(count: 1 << 40) }
        let many = IndexTensor(Array(repeating: 0, count: 100_000))  // 100,000 rows of 4 KiB
        expectMemoryError("indexSelect") { _ = try block.indexSelect(many) }
        expectMemoryError("indexSelect") { _ = try block.embedding(many) }
    }

    @Test func aScopedLimitAppliesOnlyInsideItsScope() throws {
        #expect(MemoryBudget.withLimit(12345) { MemoryBudget.limit } == 12345)
        #expect(MemoryBudget.limit != 12345)
        #expect(MemoryBudget.defaultLimit > 0)
        #expect(MemoryBudget.defaultLimit <= MemoryBudget.systemBound)
        #expect(try Tensor.zeros([4]).shape == [4])
    }

    @Test func liveTensorsAreCounted() throws {
        // Other tests allocate concurrently, so compare with a margin far below this tensor's 64 MiB.
        let before = MemoryBudget.bytesInUse
        var tensor: Tensor? = try Tensor.zeros([16 << 20])
        #expect(MemoryBudget.bytesInUse - before > 32 << 20)
        #expect(tensor?.scalarCount == 16 << 20)
        let held = MemoryBudget.bytesInUse
        tensor = nil
        #expect(held - MemoryBudget.bytesInUse > 32 << 20)
    }

    @Test func sizesParseAndFormat() {
        #expect(MemoryBudget.parse("1048576", relativeTo: 0) == 1 << 20)
        #expect(MemoryBudget.parse("512M", relativeTo: 0) == 512 << 20)
        #expect(MemoryBudget.parse(" 8g ", relativeTo: 0) == 8 << 30)
        #expect(MemoryBudget.parse("1.5GiB", relativeTo: 0) == 3 << 29)
        #expect(MemoryBudget.parse("2KB", relativeTo: 0) == 2048)
        #expect(MemoryBudget.parse("50%", relativeTo: 1000) == 500)
        for bad in ["", "-1", "0", "lots", "150%", "1Q", "1e30"] {
            #expect(MemoryBudget.parse(bad, relativeTo: 1000) == nil, "\(bad)")
        }
        #expect(MemoryBudget.format(bytes: 64) == "64 bytes")
        #expect(MemoryBudget.format(bytes: 40_000_000_000) == "37.3 GiB")
        #expect(MemoryBudget.format(bytes: 64 << 20) == "64.0 MiB")
    }
}
