// MemoryLimitTests: loaders and builders whose size comes from a file or an argument refuse what does not fit.

import Foundation
import Testing

@testable import NeuralNetworks
@testable import TensorCore

/// Run under a small scoped limit (see TensorCore's MemoryBudgetTests): the outcome does not depend on the machine.
@Suite("Memory limit of loaders and builders")
struct MemoryLimitTests {
    static let limit = 1 << 20  // 1 MiB

    func expectMemoryError(
        _ operation: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
    ) {
        let outcome = MemoryBudget.withLimit(Self.limit) { () -> (any Error)? in
            do {
                try body()
                return nil
            } catch {
                return error
            }
        }
        guard let error = outcome as? TensorError else {
            Issue.record("\(operation): expected a memory error, got \(String(describing: outcome))")
            return
        }
        #expect(error.isOutOfMemory, "\(error)", sourceLocation: sourceLocation)
        #expect(error.operation == operation, "\(error)", sourceLocation: sourceLocation)
    }

    /// A 4 MiB file: more than the 1 MiB limit allows to read.
    static func largeFile(_ name: String, header: [UInt8] = []) throws -> String {
        let path = temporaryPath(name)
        try Data(header + [UInt8](repeating: 0x31, count: 4 << 20)).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func filesLargerThanTheLimitAreNotRead() throws {
        let csv = try Self.largeFile("large.csv")
        expectMemoryError("readCSV") { _ = try CSVTable.read(csv) }
        let npy = try Self.largeFile("large.npy")
        expectMemoryError("readNPY") { _ = try ArrayFile.readNPY(npy) }
        let idx = try Self.largeFile("large.idx")
        expectMemoryError("readIDX") { _ = try ArrayFile.readIDX(idx) }
        let checkpoint = try Self.largeFile("large.safetensors")
        expectMemoryError("loadCheckpoint") { _ = try Checkpoint.read(from: checkpoint) }
    }

    @Test func headersWhoseShapeOverflowsAreFileErrors() throws {
        // A .npy header claiming 2⁶⁴ scalars over 4 bytes of data: a malformed file, not a trap.
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        data.append(contentsOf: [UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)])
        data.append(contentsOf: Array(header.utf8) + [0, 0, 0, 0])
        let npy = temporaryPath("overflow.npy")
        try data.write(to: URL(fileURLWithPath: npy))
        let error = #expect(throws: DataFileError.self) { try ArrayFile.readNPY(npy) }
        #expect(String(describing: error).contains("needs more than 2^63 bytes"), "\(String(describing: error))")
        // An IDX header of rank 3 with extents 2³² − 1 each.
        let idx = temporaryPath("overflow.idx")
        try Data([0, 0, 0x0D, 3] + [UInt8](repeating: 0xFF, count: 12) + [0, 0, 0, 0]).write(
            to: URL(fileURLWithPath: idx))
        #expect(throws: DataFileError.self) { try ArrayFile.readIDX(idx) }
    }

    @Test func buildersSizedByArguments() {
        expectMemoryError("padSequences") { _ = try Encoding.padSequences([[1, 2], [3]], length: 1 << 20) }
        expectMemoryError("causalMask") { _ = try Encoding.causalMask(length: 1 << 12) }
        expectMemoryError("kFold") { _ = try Splitting.kFold(count: 1 << 20, folds: 5, seed: 0) }
        // One-hot encoding of labels, through TensorCore's check.
        expectMemoryError("oneHot") { _ = try Encoding.oneHot([0, 1], classes: 1 << 20) }
    }
}
