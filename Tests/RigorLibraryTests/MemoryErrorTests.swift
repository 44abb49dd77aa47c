import Foundation
import RigorLibrary
import RigorScript
import Testing

/// An allocation too large for the machine is a MemoryError at the user's call, and the session goes on. The sizes
/// asked for (terabytes, or more than 2⁶³ bytes) exceed any machine's limit, so these tests do not depend on it; the
/// limit itself is changed only in a kernel of its own (Tests/Python/test_memory.py), since it is process-wide.
@Suite("MemoryError")
struct MemoryErrorTests {
    /// Runs `code` in `session`, expects a MemoryError, and returns its rendering.
    @discardableResult
    func expectMemoryError(
        _ session: Session, _ code: String, sourceLocation: SourceLocation = #_sourceLocation
    ) -> String {
        guard let error = session.execute(code).error else {
            Issue.record("no error from \(code)", sourceLocation: sourceLocation)
            return ""
        }
        #expect(error.kind.name == "MemoryError", "\(session.render(error))", sourceLocation: sourceLocation)
        #expect(
            error.message.contains("cannot allocate") || error.message.contains("overflows"),
            "\(error.message)", sourceLocation: sourceLocation)
        #expect(error.message.contains("memory limit"), "\(error.message)", sourceLocation: sourceLocation)
        return session.render(error)
    }

    @Test("the issue's cell fails with the size asked for and what is available; the session survives")
    func theIssueCell() {
        let s = librarySession()
        #expect(run(s, "let keep = Tensor([1, 2])\nlet answer = 42") == nil)
        let rendered = expectMemoryError(s, "let big = Tensor.zeros([100000, 100000, 1000])")
        #expect(rendered.contains("error: zeros: [100000, 100000, 1000]: cannot allocate 36.4 TiB"), "\(rendered)")
        #expect(rendered.contains("let big = Tensor.zeros([100000, 100000, 1000])\n"), "\(rendered)")
        // Anchored at the shape argument.
        #expect(
            rendered.contains(
                "\n" + String(repeating: " ", count: 23) + "^" + String(repeating: "~", count: 21)),
            "\(rendered)")
        #expect(run(s, "answer") == "42")
        #expect(run(s, "keep.toArray()") == "[1.0, 2.0]")
        #expect(run(s, "Tensor.zeros([2]).toArray()") == "[0.0, 0.0]")
    }

    @Test("every builtin that builds a tensor of a size the user chooses")
    func eachPath() {
        let s = librarySession()
        let huge = "[1000000, 1000000]"  // 4 TB of Float32
        expectMemoryError(s, "Tensor.zeros(\(huge))")
        expectMemoryError(s, "Tensor.ones(\(huge))")
        expectMemoryError(s, "Tensor.full(\(huge), value: 2)")
        expectMemoryError(s, "Tensor.random(\(huge), seed: 1)")
        expectMemoryError(s, "Tensor.randomNormal(\(huge), seed: 1)")
        expectMemoryError(s, "Tensor.eye(1000000)")
        expectMemoryError(s, "Tensor.zeros([4294967296, 4294967296])")  // the scalar count overflows
        expectMemoryError(s, "Tensor(shape: [4294967296, 4294967296], scalars: [])")
        expectMemoryError(s, "Tensor.zeros([1]).reshaped([4294967296, 4294967296])")
        #expect(run(s, "let column = Tensor.zeros([1000000, 1])\nlet row = Tensor.zeros([1, 1000000])") == nil)
        expectMemoryError(s, "column * row")
        expectMemoryError(s, "column.adding(row)")
        expectMemoryError(s, "column.maximum(row)")
        expectMemoryError(s, "matmul(column, row)")
        expectMemoryError(s, "column.matmul(row)")
        expectMemoryError(s, "Dense(1000000, 1000000)")
        expectMemoryError(s, "Conv2D(100000, 100000, kernel: 3)")
        expectMemoryError(s, "Dataset.digits().reshaped([1, 8, 8]).augmented(copies: 1099511627776)")
        expectMemoryError(s, "Dataset.digits().reshaped([1, 8, 8]).augmented(copies: Int.max)")
        #expect(run(s, "column.shape") == "[1000000, 1]")
    }

    @Test("arrays and strings the language builds answer to the same limit, at the argument that sized them")
    func scriptCollections() {
        let s = librarySession()
        #expect(run(s, "let answer = 42") == nil)
        let rendered = expectMemoryError(s, "let a = Array(repeating: 0, count: 100_000_000_000)")
        #expect(rendered.contains("error: Array(repeating:count:): cannot allocate 2.2 TiB"), "\(rendered)")
        #expect(rendered.contains("\n" + String(repeating: " ", count: 28) + "^~~~~~~"), "\(rendered)")
        expectMemoryError(s, "[Int](repeating: 0, count: 100_000_000_000)")
        expectMemoryError(s, "String(repeating: \"ab\", count: 4_000_000_000_000_000_000)")
        expectMemoryError(s, "Array(0..<1_000_000_000_000)")
        expectMemoryError(s, "(0..<1_000_000_000_000).map { $0 * 2 }")
        expectMemoryError(s, "for (i, x) in (0..<1_000_000_000_000).enumerated() { }")
        // Reading a huge range does not make its elements.
        #expect(
            run(s, "let r = 0..<1_000_000_000_000\n[r.count, r.first, r.last]") == "[1000000000000, 0, 999999999999]")
        #expect(run(s, "answer") == "42")
    }

    @Test("memoryLimit, memoryInUse and setMemoryLimit's argument checks")
    func builtins() throws {
        let s = librarySession()
        #expect(run(s, "memoryLimit() > 0") == "true")
        #expect(run(s, "memoryInUse() >= 0") == "true")
        let bad = try #require(s.execute("setMemoryLimit(\"lots\")").error)
        #expect(bad.kind.name == "ValueError")
        #expect(bad.message == "'lots' is not a size: write bytes, \"512M\", \"8G\" or \"50%\"")
        #expect(try #require(s.execute("setMemoryLimit(-5)").error).kind.name == "ValueError")
    }
}
