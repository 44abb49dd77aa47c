import Foundation
import Testing

@testable import RigorScript

/// Collections and strings a builtin makes at a size the user chooses are checked before they are made: an
/// impossible size is a MemoryError at the argument, never a process that dies with the session. Without a
/// library the language's own limit applies (3/4 of physical memory); a library may install its budget.
@Suite("Allocation limit of the language's builtins")
struct AllocationLimitTests {
    @Test(
        "impossible sizes are MemoryErrors and the session survives",
        arguments: [
            "Array(repeating: 0, count: 100_000_000_000_000)",
            "[Double](repeating: 0, count: 100_000_000_000_000)",
            "String(repeating: \"ab\", count: 4_000_000_000_000_000_000)",
            "Array(0..<1_000_000_000_000_000)",
            "(0..<1_000_000_000_000_000).map { $0 }",
            "(0..<1_000_000_000_000_000).filter { $0 > 1 }",
            "for (i, x) in (0..<1_000_000_000_000_000).enumerated() { }",
        ])
    func refused(code: String) throws {
        let session = Session()
        _ = session.execute("let kept = [1, 2, 3]")
        let error = try #require(session.execute(code).error)
        #expect(error.kind == .memory, "\(session.render(error))")
        #expect(error.message.contains("cannot allocate"), "\(error.message)")
        #expect(session.execute("kept.count").value == .int(3))
    }

    @Test("the argument that asked for the size is underlined")
    func anchored() throws {
        let session = Session()
        let error = try #require(session.execute("let a = Array(repeating: 0, count: 100_000_000_000_000)").error)
        let rendered = session.render(error)
        #expect(rendered.hasPrefix("In[1]:1:29: error: Array(repeating:count:): cannot allocate"), "\(rendered)")
        #expect(rendered.contains("note: the limit is 3/4 of this machine's memory"), "\(rendered)")
    }

    @Test("a library's budget replaces the language's limit")
    func installedBudget() throws {
        let session = Session()
        var asked: [(Int?, String)] = []
        session.registry.allocationCheck = { bytes, operation in
            asked.append((bytes, operation))
            if let bytes, bytes > 1000 { throw BuiltinError(.memory, "\(operation): over the test budget") }
        }
        #expect(session.execute("Array(repeating: 1, count: 10)").error == nil)
        let error = try #require(session.execute("Array(repeating: 1, count: 1000)").error)
        #expect(error.message == "Array(repeating:count:): over the test budget")
        #expect(asked.map(\.0) == [10 * BuiltinRegistry.valueStride, 1000 * BuiltinRegistry.valueStride])
    }

    @Test("a format width is bounded")
    func formatWidth() throws {
        let session = Session()
        #expect(
            session.execute("String(format: \"%8.3f|%-6s|\", 3.14159, \"ab\")").value == .string("   3.142|ab    |"))
        let error = try #require(session.execute("String(format: \"%999999999d\", 1)").error)
        #expect(error.message == "width or precision 999999999 in '%999999999' is above 10000")
    }
}
