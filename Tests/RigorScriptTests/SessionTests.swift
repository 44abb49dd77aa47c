import Foundation
import Testing

@testable import RigorScript

@Suite("Session: what the kernel asks of the language")
struct SessionTests {
    @Test("execution counts and cell names follow Jupyter")
    func executionCount() {
        let session = Session()
        #expect(session.execute("1 + 1").executionCount == 1)
        let silent = session.execute("2", storeHistory: false)
        #expect(silent.executionCount == 1)
        let third = session.execute("undefinedName")
        #expect(third.executionCount == 2)
        #expect(third.error?.kind == .name)
        #expect(session.render(third.error!).hasPrefix("In[2]:1:1: error: cannot find 'undefinedName' in scope"))
    }

    @Test("a syntax error runs nothing; a runtime error keeps earlier effects")
    func effects() {
        let host = BufferedHost()
        let session = Session(host: host)
        _ = session.execute("var n = 1")
        let syntax = session.execute("n = 2\nprint(\"ran\")\nlet = 3")
        #expect(syntax.error?.kind == .syntax)
        #expect(host.standardOutput.isEmpty)
        #expect(session.global("n") == .int(1))
        let runtime = session.execute("n = 5\nprint(\"ran\")\nlet x = [1][3]\nn = 6")
        #expect(runtime.error?.kind == .index)
        #expect(host.standardOutput == "ran\n")
        #expect(session.global("n") == .int(5))
    }

    @Test("every syntax error of a cell is reported, not only the first")
    func allSyntaxErrors() throws {
        let outcome = Session().execute("let = 1\nlet ok = 2\nprint(ok +)\nlet y = )")
        let error = try #require(outcome.error)
        #expect(error.diagnostics.map(\.span.start.line) == [1, 3, 4])
    }

    @Test("is-complete: complete, incomplete with an indent, invalid")
    func completeness() {
        let session = Session()
        #expect(session.completeness(of: "let x = 1") == .complete)
        #expect(session.completeness(of: "func f() {") == .incomplete(indent: "    "))
        #expect(session.completeness(of: "for i in 0..<3 {\n    if i > 1 {") == .incomplete(indent: "        "))
        #expect(session.completeness(of: "print(1,") == .incomplete(indent: "    "))
        #expect(session.completeness(of: "let s = \"abc") == .incomplete(indent: ""))
        #expect(session.completeness(of: "/* open comment") == .incomplete(indent: ""))
        #expect(session.completeness(of: "let x = 1 +") == .incomplete(indent: ""))
        #expect(session.completeness(of: "let = 5") == .invalid)
        #expect(session.completeness(of: "}") == .invalid)
    }

    @Test("completion: globals, builtins, keywords, members, labels, implicit members")
    func completion() {
        let session = Session()
        _ = session.execute(
            "let learningRate = 0.1\nfunc train(epochs: Int, batchSize: Int = 32) {}\nlet names = [\"a\"]")
        let globals = session.completions(in: "learn", cursor: 5)
        #expect(globals.matches == ["learningRate"])
        #expect(globals.cursorStart == 0 && globals.cursorEnd == 5)
        #expect(session.completions(in: "pri", cursor: 3).matches == ["print"])
        #expect(session.completions(in: "whi", cursor: 3).matches == ["while"])
        let members = session.completions(in: "names.cou", cursor: 9)
        #expect(members.matches == ["count"])
        #expect(members.cursorStart == 6)
        #expect(session.completions(in: "names.so", cursor: 8).matches == ["sort", "sorted"])
        #expect(session.completions(in: "Double.p", cursor: 8).matches == ["pi"])
        #expect(session.completions(in: "train(ep", cursor: 8).matches == ["epochs:", "eprint"])
        #expect(
            session.completions(in: "train(epochs: 3, ", cursor: 17).matches.prefix(2) == ["batchSize:", "epochs:"])
        #expect(session.completions(in: "print(x, to: .standardE", cursor: 23).matches == ["standardError"])
        #expect(session.completions(in: "let myValue = 1\nmyV", cursor: 19).matches == ["myValue"])
    }

    @Test("inspection: builtins, user functions with doc comments, variables, members")
    func inspection() throws {
        let session = Session()
        _ = session.execute(
            "/// Scales a value.\n/// Used in the tutorial.\nfunc scale(_ x: Double, by factor: Double = 2) -> Double { x * factor }\nlet xs = [1, 2]"
        )
        let printHelp = try #require(session.inspection(in: "print", cursor: 3))
        #expect(printHelp.hasPrefix("func print(_ items: Any..., separator: String = \" \""))
        #expect(printHelp.contains("Example:"))
        let scaleHelp = try #require(session.inspection(in: "scale(", cursor: 6))
        #expect(scaleHelp.contains("func scale(_ x: Double, by factor: Double = 2) -> Double"))
        #expect(scaleHelp.contains("Scales a value.\nUsed in the tutorial."))
        #expect(session.inspection(in: "xs", cursor: 1) == "let xs: Array = [1, 2]")
        let member = try #require(session.inspection(in: "xs.append", cursor: 5))
        #expect(member.contains("mutating func Array.append(_ newElement: Any)"))
        #expect(session.inspection(in: "nothingHere", cursor: 3) == nil)
    }

    @Test("an interrupt stops a busy loop promptly and keeps the session's state")
    func interrupt() throws {
        let session = Session()
        _ = session.execute("var progress = 0")
        let flag = session.interrupt
        let requested = Date()
        // The request comes from another thread, as the kernel's control channel sends it.
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { flag.request() }
        let outcome = session.execute("while true { progress += 1 }")
        let latency = Date().timeIntervalSince(requested) - 0.2
        #expect(outcome.error?.kind == .interrupted)
        #expect(latency < 1.0, "stopped \(latency) s after the request")
        guard case .int(let progress) = session.global("progress") else {
            Issue.record("progress lost")
            return
        }
        #expect(progress > 0)
        #expect(session.execute("progress > 0").value == .bool(true))
    }

    @Test("an interrupt stops a recursion run as Int bytecode promptly, and the error is the general path's")
    func interruptInIntKernel() throws {
        let session = Session()
        _ = session.execute("func fib(_ n: Int) -> Int { n < 2 ? n : fib(n - 1) + fib(n - 2) }")
        let flag = session.interrupt
        let requested = Date()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { flag.request() }
        // fib(60) takes hours: only the interrupt ends it.
        let outcome = session.execute("fib(60)")
        let latency = Date().timeIntervalSince(requested) - 0.2
        let error = try #require(outcome.error)
        #expect(error.kind == .interrupted)
        #expect(latency < 1.0, "stopped \(latency) s after the request")
        #expect(session.render(error).hasPrefix("In[2]:1:1: error: execution interrupted"))
        #expect(session.execute("fib(20)").value == .int(6765))
    }

    @Test(
        "an interrupt during element writes at the top level keeps the collection and every write made",
        arguments: [
            "for i in 0..<2_000_000_000 { h[i % 1000] += 1 }",
            "for i in 0..<2_000_000_000 { grid[i % 10][i % 7] += 1\n h[i % 1000] += 1 }",
            "for i in 0..<2_000_000_000 { counts[\"k\\(i % 13)\", default: 0] += 1\n h[i % 1000] += 1 }",
            "var k = 0\nwhile true { h.append(k)\n k += 1 }",
        ])
    func interruptDuringWrites(loop: String) throws {
        let session = Session()
        _ = session.execute(
            "var h = Array(repeating: 0, count: 1000)\nvar grid = [[Int]](repeating: [Int](repeating: 0, count: 7), count: 10)"
                + "\nvar counts = [String: Int]()")
        let flag = session.interrupt
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { flag.request() }
        let outcome = session.execute(loop)
        #expect(outcome.error?.kind == .interrupted)
        // The variables hold arrays, never the placeholder a write moves out, and the writes made so far.
        let total = try #require(session.execute("h.reduce(0, +)").value?.intValue)
        #expect(total > 0)
        #expect(
            session.execute("[grid.count, grid[9].count, counts.count <= 13]").value?.debugDescription
                == "[10, 7, true]")
    }

    @Test("a million levels of recursion end in an error, not a crash")
    func deepRecursion() throws {
        let session = Session()
        let outcome = session.execute("func down(_ n: Int) -> Int { n == 0 ? 0 : 1 + down(n - 1) }\ndown(1_000_000)")
        let error = try #require(outcome.error)
        #expect(error.kind == .recursion)
        // 10,000 nested calls are fine.
        #expect(session.execute("down(10_000)").value == .int(10_000))
        // Deep recursion through a builtin's closure is caught as well.
        let viaMap = session.execute(
            "func viaMap(_ n: Int) -> Int { n == 0 ? 0 : [n].map { viaMap($0 - 1) }[0] }\nviaMap(1_000_000)")
        #expect(viaMap.error?.kind == .recursion)
    }

    @Test("deep recursion past the pooled frames gives the right values, unwinds on errors and keeps nothing alive")
    func deepFrames() throws {
        let session = Session()
        let define = session.execute(
            """
            var d = ["k": 1]
            func depth(_ n: Int, _ held: [String: Int]) -> Int { n == 0 ? held.count : 1 + depth(n - 1, held) }
            func countDown(_ n: Int) -> Int {
                var total = 0
                let add = { total += n }
                add()
                if n == 0 { return total }
                return total + countDown(n - 1)
            }
            func boom(_ n: Int) -> Int { n == 0 ? [1][5] : 1 + boom(n - 1) }
            """)
        #expect(define.error == nil)
        // 500 levels, far past the 64 a function keeps pooled, twice (the deep frames are made again).
        #expect(session.execute("depth(500, d)").value == .int(501))
        #expect(session.execute("depth(500, d)").value == .int(501))
        // Each level's closure has its own box for `total`.
        #expect(session.execute("countDown(300)").value == .int(300 * 301 / 2))
        // An error 1,000 levels down unwinds every frame; the next calls start from the top again.
        #expect(session.execute("boom(1_000)").error?.kind == .index)
        #expect(session.execute("depth(200, d)").value == .int(201))
        // No frame, pooled or not, still holds the dictionary passed down: replacing the global frees it.
        weak var box: DictionaryBox?
        if case .dictionaryBox(let held) = try #require(session.global("d")) { box = held }
        #expect(box != nil)
        #expect(session.execute("d = [:]").error == nil)
        #expect(box == nil)
    }

    @Test("readLine goes through the host")
    func readLine() {
        let host = BufferedHost(input: ["Ada"])
        let session = Session(host: host)
        let outcome = session.execute("let name = readLine(prompt: \"Name: \") ?? \"?\"\nname")
        #expect(outcome.value == .string("Ada"))
        #expect(host.standardOutput == "Name: ")
        #expect(session.execute("readLine()").value == nil)
    }

    @Test("colour is only on when asked for")
    func color() throws {
        let session = Session()
        let error = try #require(session.execute("1 + \"a\"").error)
        #expect(!session.render(error).contains("\u{1B}["))
        #expect(session.render(error, usesColor: true).contains("\u{1B}[1;31merror:"))
    }

    @Test("a cell's value: last expression, unless ';' or nil or a statement")
    func cellValue() {
        let session = Session()
        #expect(session.execute("let a = 3\na * 2").value == .int(6))
        #expect(session.execute("a * 2;").value == nil)
        #expect(session.execute("nil").value == nil)
        #expect(session.execute("var b = 1").value == nil)
        #expect(session.execute("for i in 0..<2 { i }").value == nil)
    }
}
