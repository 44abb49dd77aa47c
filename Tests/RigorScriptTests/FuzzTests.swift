import Foundation
import Testing

@testable import RigorScript

/// Feeds thousands of random and mutated programs through lexer, parser, resolver and
/// interpreter. Nothing may crash or hang; every failure must be a `ScriptError`.
@Suite("Fuzzing the language")
struct FuzzTests {
    /// Programs to mutate: a little of every construct.
    static let seeds = [
        "let x = [1, 2, 3].map { $0 * 2 }.filter { $0 > 2 }\nprint(x, x.count)",
        "func f(_ n: Int, by k: Int = 2) -> Int { n <= 1 ? n : f(n - 1) + k }\nf(5, by: 3)",
        "var d = [\"a\": 1]\nd[\"b\"] = 2\nfor k in d { print(k, d[k] ?? 0) }",
        "var s = \"x\"\nwhile s.count < 5 { s += \"\\(s.count)\" }\ns.uppercased()",
        "if let v = [1: 2][1], v > 1 { print(v) } else { print(\"no\") }",
        "func g() -> Int { guard 1 < 2 else { return 0 }; return 1 }\ng()",
        "/* a /* nested */ comment */ let r = 0..<10\nr.reduce(0, +)",
        "let c = { (a, b) in a + b }\nc(1, 2.5)",
        "var xs = [[1], [2]]\nxs[0].append(3)\nxs[1][0] += 1\nxs",
        "print(String(format: \"%.2f %d %s\", 1.5, 2, \"x\"), separator: \"\")",
    ]

    static let fragments = [
        "(", ")", "{", "}", "[", "]", ",", ":", ";", ".", "$0", "$1", "\"", "\\(", "?", "??", "...", "..<", "->",
        "let", "var", "func", "if", "else", "guard", "for", "in", "while", "return", "break", "continue", "nil",
        "true", "+", "-", "*", "/", "%", "==", "<", "&&", "!", "=", "+=", "\n", " ", "0", "1.5", "9223372036854775807",
        "x", "print", "f", "map", "count", "/*", "*/", "//", "_",
    ]

    /// A small deterministic generator (SplitMix64), so failures reproduce.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func mutate(_ program: String, using generator: inout Generator) -> String {
        var scalars = Array(program.unicodeScalars)
        for _ in 0..<Int.random(in: 1...4, using: &generator) {
            let position = scalars.isEmpty ? 0 : Int.random(in: 0..<scalars.count, using: &generator)
            switch Int.random(in: 0..<3, using: &generator) {
            case 0 where !scalars.isEmpty:
                scalars.remove(at: position)
            case 1:
                let fragment = fragments.randomElement(using: &generator)!
                scalars.insert(contentsOf: fragment.unicodeScalars, at: position)
            default:
                if !scalars.isEmpty {
                    let end = min(scalars.count, position + Int.random(in: 1...8, using: &generator))
                    scalars.removeSubrange(position..<end)
                }
            }
        }
        return String(String.UnicodeScalarView(scalars))
    }

    static func random(using generator: inout Generator) -> String {
        (0..<Int.random(in: 1...30, using: &generator)).map { _ in fragments.randomElement(using: &generator)! }
            .joined(separator: Bool.random(using: &generator) ? " " : "")
    }

    @Test("thousands of mutated and random programs: no crash, no hang, only ScriptErrors")
    func fuzz() throws {
        var generator = Generator(state: 20_261_129)
        let session = Session()
        session.maximumCallDepth = 2_000
        var programs: [String] = []
        for index in 0..<3_000 {
            let seed = Self.seeds[index % Self.seeds.count]
            programs.append(index % 3 == 0 ? Self.random(using: &generator) : Self.mutate(seed, using: &generator))
        }
        var outcomes = (ok: 0, failed: 0)
        for program in programs {
            // A watchdog interrupts any program that loops; the cell must then end as Interrupted.
            // It runs on a Dispatch queue, not the Swift concurrency pool, which blocking tests
            // may occupy.
            let flag = session.interrupt
            let watchdog = DispatchWorkItem { flag.request() }
            DispatchQueue.global().asyncAfter(deadline: .now() + 0.5, execute: watchdog)
            let outcome = session.execute(program)
            watchdog.cancel()
            if let error = outcome.error {
                outcomes.failed += 1
                #expect(!error.diagnostics.isEmpty)
                #expect(!session.render(error).isEmpty)
            } else {
                outcomes.ok += 1
            }
            _ = session.completeness(of: program)
            let cursor = program.unicodeScalars.count / 2
            _ = session.completions(in: program, cursor: cursor)
            _ = session.inspection(in: program, cursor: cursor)
        }
        #expect(outcomes.ok + outcomes.failed == programs.count)
        #expect(outcomes.ok > 100, "the mutations should leave some programs valid")
    }
}
