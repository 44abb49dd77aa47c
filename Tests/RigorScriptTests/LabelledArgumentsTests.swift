import Testing

@testable import RigorScript

/// `Arg.labelled`: a builtin that takes any argument labels (`interact(rate: …, width: …) { … }`), collected in the
/// order written beside its own declared parameters.
@Suite("Declaring builtins: labelled arguments collected by one parameter")
struct LabelledArgumentsTests {
    final class Box { var calls: [String] = [] }

    func session(_ seen: Box = Box()) -> Session {
        let registry = BuiltinRegistry()
        Prelude.register(in: registry)
        registry.function(
            "explore", Arg<[LabelledArgument<Value>]>.labelled("controls"), Arg("manual", default: false),
            Arg<Value>(nil, "body", type: "() -> Void"),
            doc: "A test builtin that takes any labels.", example: "explore(rate: 1, width: [16, 32]) { }"
        ) { context, controls, manual, body in
            seen.calls.append(
                controls.map { "\($0.label)=\($0.value.debugDescription)" }.joined(separator: " ") + " manual=\(manual)"
            )
            for control in controls where control.value == .array([]) {
                throw BuiltinError(.value, "'\(control.label)' has no options", parameter: control.label)
            }
            _ = try context.call(body, [])
            return controls.count
        }
        registry.function(
            "sizes", Arg<[LabelledArgument<Int>]>.labelled("sizes"),
            doc: "Labelled Ints.", example: "sizes(a: 1, b: 2)"
        ) { _, sizes in sizes.map(\.value).reduce(0, +) }
        return Session(registry: registry)
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

    @Test("any labels arrive in the order written, beside the declared parameters and a trailing closure")
    func collected() {
        let seen = Box()
        let s = session(seen)
        #expect(s.execute("explore(width: [16, 32], rate: 0.5, on: true) { }").value == .int(3))
        #expect(s.execute("explore(b: 1, a: \"x\", manual: true) { }").value == .int(2))
        #expect(s.execute("explore() { }").value == .int(0))
        #expect(s.execute("explore { }").value == .int(0))
        #expect(s.execute("explore(n: 1, { })").value == .int(1))
        #expect(
            seen.calls == [
                "width=[16, 32] rate=0.5 on=true manual=false", "b=1 a=\"x\" manual=true", " manual=false",
                " manual=false", "n=1 manual=false",
            ])
        #expect(s.execute("sizes(a: 1, b: 2, c: 3.0)").value == .int(6))
    }

    @Test("errors point at the argument: a wrong element type, one the body blames, a repeated label, order")
    func errors() throws {
        let s = session()
        let typeCode = "sizes(a: 1, b: \"two\")"
        let type = try rendered(s, typeCode)
        #expect(
            type.contains("cannot convert value of type 'String' to expected argument type 'Int' for 'b:'"), "\(type)")
        #expect(type.hasSuffix(underline("b: \"two\"", in: typeCode)), "\(type)")
        let blamed = try rendered(s, "explore(rate: 0.1, width: []) { }")
        #expect(blamed.contains("error: 'width' has no options"), "\(blamed)")
        #expect(blamed.hasSuffix(underline("width: []", in: "explore(rate: 0.1, width: []) { }")), "\(blamed)")
        let twice = try rendered(s, "explore(rate: 1, rate: 2) { }")
        #expect(twice.contains("error: duplicate argument label 'rate:' in call"), "\(twice)")
        #expect(twice.contains(underline("rate: 2", in: "explore(rate: 1, rate: 2) { }") + "\n"), "\(twice)")
        let order = try rendered(s, "explore(manual: true, rate: 1) { }")
        #expect(order.contains("error: argument 'rate' is out of order"), "\(order)")
        #expect(
            order.contains(
                "note: 'explore(<label>:...manual:_:)' takes its labelled arguments first, before 'manual:'"),
            "\(order)")
        let unlabelled = try rendered(s, "explore(1) { }")
        #expect(unlabelled.contains("error: extra argument in call"), "\(unlabelled)")
    }

    @Test("the signature shows the collector as <label>: Any...")
    func signature() throws {
        let s = session()
        let builtin = try #require(s.registry.functions["explore"])
        #expect(
            builtin.signature.declaration()
                == "func explore(<label>: Any..., manual: Bool = false, _ body: () -> Void) -> Int")
        #expect(builtin.signature.compactName == "explore(<label>:...manual:_:)")
    }

    @Test("a builtin taken as a value keeps its labels: the call through the variable collects them too")
    func asFunctionValue() {
        let seen = Box()
        let s = session(seen)
        #expect(s.execute("let f = explore\nf(rate: 1) { }").value == .int(1))
        #expect(seen.calls == ["rate=1 manual=false"])
    }
}
