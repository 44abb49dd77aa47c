import Foundation
import RigorLibrary
import RigorScript
import Testing

/// docs/builtins.md lists every builtin a notebook has: the language's prelude and the library.
@Suite("docs/builtins.md")
struct BuiltinReferenceTests {
    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/builtins.md")

    @Test("docs/builtins.md is generated from the current signatures")
    func upToDate() throws {
        let generated = RigorLibrary.makeRegistry().markdownReference()
        if ProcessInfo.processInfo.environment["RIGOR_DOCS_RECORD"] == "1" {
            try generated.write(to: Self.path, atomically: true, encoding: .utf8)
        }
        let committed = try String(contentsOf: Self.path, encoding: .utf8)
        #expect(committed == generated, "docs/builtins.md is stale: regenerate it with RIGOR_DOCS_RECORD=1")
    }
}
