import Foundation
import Testing

/// RigorLibrary declares every builtin with `Arg`s and `Choices` (issue 10): bodies receive named, typed values, so
/// nothing in the target reads an argument by position, links a type by its name, or switches over choice names.
@Suite("Declaration style")
struct DeclarationStyleTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/RigorLibrary")

    /// What positional or name-linked code looks like, with why it is not wanted.
    static let forbidden: [(pattern: String, why: String)] = [
        (
            #"arguments\.(int|double|string|bool|array|function|object|implicitMember|isNil)\("#,
            "reads an argument by position"
        ),
        (#"arguments\[\s*\d"#, "reads an argument by position"),
        (#"\bargument:\s*\d"#, "blames an argument by position (use parameter: \"name\")"),
        (#"extension\s+Arguments\b"#, "adds a positional accessor"),
        (#"registry\.types\[\s*""#, "links a type by its name (use registry.type(SwiftClass.self))"),
        (#"switch\s+member\.name"#, "switches over choice names (use a Choices table)"),
    ]

    @Test("no builtin in RigorLibrary reads an argument by position")
    func noPositionalAccess() throws {
        let files = try #require(FileManager.default.enumerator(atPath: Self.sources.path)).compactMap { $0 as? String }
            .filter { $0.hasSuffix(".swift") }
        #expect(files.count > 10)
        for file in files {
            let text = try String(contentsOf: Self.sources.appendingPathComponent(file), encoding: .utf8)
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                for (pattern, why) in Self.forbidden where line.range(of: pattern, options: .regularExpression) != nil {
                    // Two lookups by name that link nothing: whether the prelude is registered yet, and the layer kinds
                    // a checkpoint names (`Model.load`).
                    if line.contains("registry.types[\"Int\"] == nil") || line.contains("types[layer.kind]") {
                        continue
                    }
                    Issue.record("\(file):\(number + 1) \(why): \(line.trimmingCharacters(in: .whitespaces))")
                }
            }
        }
    }
}
