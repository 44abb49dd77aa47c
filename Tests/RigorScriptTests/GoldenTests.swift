import Foundation
import Testing

@testable import RigorScript

/// Golden scripts (Crafting Interpreters style): each `Golden/<feature>/<name>.rigor` file holds
/// notebook cells separated by `// ---` lines, and `// expect: ` comments giving, in order, every
/// line the cells produce — printed output, `=> result` for a cell's value, and rendered errors
/// with their carets. Set RIGOR_GOLDEN_RECORD=1 to rewrite the expectations (then review the diff).
struct GoldenScript: CustomTestStringConvertible, Sendable {
    let url: URL
    var testDescription: String {
        url.deletingLastPathComponent().lastPathComponent + "/" + url.lastPathComponent
    }

    static let all: [GoldenScript] = {
        guard let root = Bundle.module.url(forResource: "Golden", withExtension: nil),
            let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
        else { return [] }
        return enumerator.compactMap { $0 as? URL }.filter { $0.pathExtension == "rigor" }
            .sorted { $0.path < $1.path }.map(GoldenScript.init)
    }()
}

let cellSeparator = "\n// ---\n"
let expectPrefix = "// expect: "

/// Runs cells in one session and returns the transcript lines.
func transcript(of cells: [String], input: [String] = []) -> [String] {
    let host = BufferedHost(input: input)
    let session = Session(host: host)
    var lines: [String] = []
    for cell in cells {
        host.reset()
        let outcome = session.execute(cell)
        var text = host.standardOutput
        if !host.standardError.isEmpty { text += "[stderr] " + host.standardError }
        if let value = outcome.value { text += "=> \(value.debugDescription)\n" }
        if let error = outcome.error { text += session.render(error) + "\n" }
        if text.hasSuffix("\n") { text.removeLast() }
        if !text.isEmpty || !host.standardOutput.isEmpty {
            lines.append(contentsOf: text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
        }
    }
    return lines
}

@Suite("Golden scripts")
struct GoldenTests {
    @Test("golden script", arguments: GoldenScript.all)
    func golden(_ script: GoldenScript) throws {
        let source = try String(contentsOf: script.url, encoding: .utf8)
        // Expectations sit at the end of each cell; strip them so errors at the end of input
        // point where they would in a notebook.
        let cells = source.components(separatedBy: cellSeparator).map { cell in
            cell.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.trimmingPrefixWhitespace.hasPrefix(expectPrefix.trimmingSuffixWhitespace) }
                .joined(separator: "\n")
        }
        let expected = source.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { $0.trimmingPrefixWhitespace.hasPrefix(expectPrefix.trimmingSuffixWhitespace) }
            .map { line -> String in
                let trimmed = line.trimmingPrefixWhitespace
                return trimmed.count > expectPrefix.count ? String(trimmed.dropFirst(expectPrefix.count)) : ""
            }
        let actual = transcript(of: cells).map { $0.trimmingSuffixWhitespace }
        if ProcessInfo.processInfo.environment["RIGOR_GOLDEN_RECORD"] == "1" {
            // Record from the source tree, not the bundle's copy (which may predate an edit).
            let original = try String(contentsOf: sourceURL(of: script), encoding: .utf8)
            try record(script, cells: original.components(separatedBy: cellSeparator))
            return
        }
        #expect(actual == expected, "transcript of \(script.testDescription)")
        if actual != expected {
            for (index, pair) in zip(actual, expected).enumerated() where pair.0 != pair.1 {
                Issue.record(
                    "first difference at expectation \(index + 1):\n  actual:   \(pair.0)\n  expected: \(pair.1)")
                break
            }
        }
    }

    private func sourceURL(of script: GoldenScript) -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Golden").appendingPathComponent(script.testDescription)
    }

    /// Rewrites a golden file: each cell keeps its code and gets its transcript as expectations.
    private func record(_ script: GoldenScript, cells: [String]) throws {
        let sourceURL = sourceURL(of: script)
        var rewritten: [String] = []
        var prior: [String] = []
        for cell in cells {
            let code = cell.split(separator: "\n", omittingEmptySubsequences: false).filter {
                !$0.trimmingPrefixWhitespace.hasPrefix(expectPrefix.trimmingSuffixWhitespace)
            }.map(String.init)
            var trimmed = code
            while trimmed.last?.isEmpty == true { trimmed.removeLast() }
            prior.append(trimmed.joined(separator: "\n"))
            let before = transcript(of: Array(prior.dropLast())).count
            let lines = transcript(of: prior).dropFirst(before)
            rewritten.append(
                (trimmed + lines.map { (expectPrefix + $0).trimmingSuffixWhitespace }).joined(separator: "\n"))
        }
        try (rewritten.joined(separator: cellSeparator) + "\n").write(to: sourceURL, atomically: true, encoding: .utf8)
    }
}
