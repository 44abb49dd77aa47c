import Foundation
import RigorLibrary
import RigorScript
import Testing

/// `interact` as the language sees it, without a front end: bad arguments point at the labelled argument to blame,
/// and under `rigor run` (no widget host) the closure runs once with the controls' starting values.
@Suite("interact: arguments and running without a front end")
struct InteractBuiltinTests {
    final class Terminal: ScriptHost {
        var output = ""
        func write(_ text: String, to stream: OutputStreamKind) { output += text }
        func readLine(prompt: String) -> String? { nil }
    }

    /// The caret line under `part` of `code` (one line), as the renderer draws it.
    func underline(_ part: String, in code: String) -> String {
        let offset = code.distance(from: code.startIndex, to: code.range(of: part)!.lowerBound)
        return "\n" + String(repeating: " ", count: offset) + "^" + String(repeating: "~", count: part.count - 1)
    }

    func rendered(_ s: Session, _ code: String) throws -> String {
        let error = try #require(s.execute(code).error, "\(code) should fail")
        return s.render(error)
    }

    @Test("without a front end the body runs once with the starting values, in the order written")
    func runsOnce() throws {
        let host = Terminal()
        let s = Session(host: host, registry: RigorLibrary.makeRegistry())
        let outcome = s.execute(
            """
            interact(rate: .logUniform(1e-4, 1e-2), width: .choice([16, 32], value: 32), depth: .int(1, 9, step: 2),
                     dropout: .uniform(0, 0.5), on: false, n: -4, name: "x", seed: .fixed(42)) {
                rate, width, depth, dropout, on, n, name, seed in
                print(rate, width, depth, dropout, on, n, name, seed)
            }
            """)
        #expect(outcome.error == nil, "\(outcome.error.map { s.render($0) } ?? "")")
        // The box's text form, then the run: rate starts at the geometric mean, an .int range in the middle on a step.
        let lines = host.output.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("VBox(") == true, "\(host.output)")
        #expect(lines.last == "0.001 32 5 0.25 false -4 x 42", "\(host.output)")
        let manual = Terminal()
        let quiet = Session(host: manual, registry: RigorLibrary.makeRegistry())
        #expect(quiet.execute("interact(n: 1...3, manual: true) { n in print(\"ran\") }").error == nil)
        #expect(!manual.output.contains("ran"))
    }

    @Test("bad arguments: each error points at the labelled argument it concerns")
    func errors() throws {
        let s = librarySession()
        let empty = try rendered(s, "interact(rate: 0.1, width: []) { rate, width in }")
        #expect(empty.contains("error: 'width': a dropdown needs at least one option"), "\(empty)")
        #expect(empty.hasSuffix(underline("width: []", in: "interact(rate: 0.1, width: []) { rate, width in }")))
        let log = try rendered(s, "interact(rate: .logUniform(0, 1)) { rate in }")
        #expect(log.contains("logUniform(0.0, 1.0): a logarithmic range needs positive bounds"), "\(log)")
        #expect(
            log.hasSuffix(underline("rate: .logUniform(0, 1)", in: "interact(rate: .logUniform(0, 1)) { rate in }")))
        let unknown = try rendered(s, "interact(rate: .logUnifrom(1e-4, 1)) { rate in }")
        #expect(unknown.contains("unknown space '.logUnifrom'"), "\(unknown)")
        #expect(unknown.contains("did you mean '.logUniform'?"), "\(unknown)")
        let function = try rendered(s, "interact(f: print) { f in }")
        #expect(function.contains("'f': no control for a value of type 'Function'"), "\(function)")
        let button = try rendered(s, "interact(go: Button(description: \"go\")) { go in }")
        #expect(button.contains("'go': a Button has no value to pass to the closure"), "\(button)")
        let start = try rendered(s, "interact(k: .int(1, 5, value: 9)) { k in }")
        #expect(start.contains("'k': the starting value 9 is outside 1...5"), "\(start)")
        let order = try rendered(s, "interact(manual: true, n: 1...3) { n in }")
        #expect(order.contains("argument 'n' is out of order"), "\(order)")
        let delay = try rendered(s, "interact(n: 1...3, delay: -1) { n in }")
        #expect(delay.contains("'delay' must be in 0.0...10.0, not -1.0"), "\(delay)")
        let logInt = try rendered(s, "interact(n: .int(1, 100, log: true)) { n in }")
        #expect(logInt.contains("'n': there is no logarithmic integer slider"), "\(logInt)")
        let infinite = try rendered(s, "interact(x: .uniform(0, Double.infinity)) { x in }")
        #expect(infinite.contains("uniform(0.0, inf): the bounds must be finite numbers"), "\(infinite)")
        let empty2 = try rendered(s, "interact(n: 3..<4) { n in }")
        #expect(empty2.contains("'n': the range 3..<4 needs at least two values for a slider"), "\(empty2)")
    }

    @Test("a widget passed as a control is used as it is, its value read at each run")
    func explicitWidget() throws {
        let host = Terminal()
        let s = Session(host: host, registry: RigorLibrary.makeRegistry())
        let code = """
            let width = Dropdown(options: [8, 16], value: 16, description: "width")
            interact(width: width) { width in print("width \\(width)") }
            """
        #expect(s.execute(code).error == nil)
        #expect(host.output.hasSuffix("width 16\n"), "\(host.output)")
    }
}
