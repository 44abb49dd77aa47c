import Foundation
import Testing

@testable import RigorScript

@Suite("docs/builtins.md")
struct BuiltinReferenceTests {
    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/builtins.md")

    @Test("docs/builtins.md is generated from the current signatures")
    func upToDate() throws {
        let generated = Session().registry.markdownReference()
        if ProcessInfo.processInfo.environment["RIGOR_DOCS_RECORD"] == "1" {
            try generated.write(to: Self.path, atomically: true, encoding: .utf8)
        }
        let committed = try String(contentsOf: Self.path, encoding: .utf8)
        #expect(committed == generated, "docs/builtins.md is stale: regenerate it with RIGOR_DOCS_RECORD=1")
    }

    @Test("every builtin has a documentation sentence and every function an example")
    func everyBuiltinIsDocumented() {
        let registry = Session().registry
        for function in registry.functions.values.flatMap({ [$0] + $0.overloads }) {
            #expect(!function.signature.documentation.isEmpty, "\(function.signature.name)")
            #expect(function.signature.example != nil, "\(function.signature.compactName) has no example")
        }
        for type in registry.types.values {
            for method in type.methods.values.flatMap({ [$0] + $0.overloads }) {
                #expect(!method.signature.documentation.isEmpty, "\(type.name).\(method.signature.name)")
                #expect(method.signature.example != nil, "\(type.name).\(method.signature.compactName) has no example")
            }
        }
    }
}
