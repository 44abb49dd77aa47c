import Foundation
import RigorLibrary
import RigorScript
import Testing

/// Golden scripts for the library, in the RigorScript style: `Golden/<name>.rigor` holds cells separated by
/// `// ---` lines and `// expect: ` comments giving every line the cells produce (printed output, `=> value`,
/// rendered errors). Set RIGOR_GOLDEN_RECORD=1 to rewrite the expectations, then review the diff.
@Suite("Library golden scripts")
struct LibraryGoldenTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
    static let scripts: [String] =
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
        .filter { $0.hasSuffix(".rigor") }.sorted()

    static let separator = "\n// ---\n"
    static let prefix = "// expect: "

    static func isExpectation(_ line: Substring) -> Bool {
        line.drop { $0 == " " }.hasPrefix("// expect:")
    }

    /// Runs the cells in one session with the library and returns the transcript, per cell.
    static func transcript(of cells: [String]) -> [[String]] {
        let host = BufferedHost()
        let registry = BuiltinRegistry()
        RigorLibrary.register(in: registry)
        let session = Session(host: host, registry: registry)
        return cells.map { cell in
            host.reset()
            let outcome = session.execute(cell)
            var text = host.standardOutput
            if let value = outcome.value { text += "=> \(value.debugDescription)\n" }
            if let error = outcome.error { text += session.render(error) + "\n" }
            if text.hasSuffix("\n") { text.removeLast() }
            guard !text.isEmpty else { return [] }
            return text.split(separator: "\n", omittingEmptySubsequences: false).map {
                String($0.reversed().drop { $0 == " " }.reversed())
            }
        }
    }

    @Test("golden script", arguments: scripts)
    func golden(_ name: String) throws {
        let url = Self.folder.appendingPathComponent(name)
        let source = try String(contentsOf: url, encoding: .utf8)
        let cells = source.components(separatedBy: Self.separator).map { cell in
            cell.split(separator: "\n", omittingEmptySubsequences: false).filter { !Self.isExpectation($0) }
                .joined(separator: "\n")
        }
        let actual = Self.transcript(of: cells)
        if ProcessInfo.processInfo.environment["RIGOR_GOLDEN_RECORD"] == "1" {
            let recorded = zip(cells, actual).map { cell, lines in
                var code = cell
                while code.hasSuffix("\n") { code.removeLast() }
                return ([code] + lines.map { Self.prefix + $0 }).joined(separator: "\n")
            }
            try (recorded.joined(separator: Self.separator) + "\n").write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let expected = source.split(separator: "\n", omittingEmptySubsequences: false).filter(Self.isExpectation)
            .map { line -> String in
                let trimmed = line.drop { $0 == " " }
                return trimmed.count > Self.prefix.count ? String(trimmed.dropFirst(Self.prefix.count)) : ""
            }
        #expect(actual.flatMap { $0 } == expected, "transcript of \(name)")
    }
}
