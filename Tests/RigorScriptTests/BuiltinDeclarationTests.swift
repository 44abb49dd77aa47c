import Testing

@testable import RigorScript

/// A schedule choice for the tests: `.step(every:factor:)`, `.constant`.
enum TestSchedule: Equatable {
    case constant
    case step(every: Int, factor: Double)
}

/// Builtins declared as a library declares them: `Arg`s, a typed body, a choice table.
@Suite("Declaring builtins: one decoder for every argument")
struct BuiltinDeclarationTests {
    static let schedules = Choices<TestSchedule>(
        "Schedule",
        [
            .init("constant", doc: "No change.") { .constant },
            .init(
                "step", Arg<Int>("every", bound: .atLeast(1)), Arg("factor", default: 0.5, bound: .within(0.0...1.0)),
                doc: "Multiplies by `factor` every `every` epochs."
            ) { every, factor in .step(every: every, factor: factor) },
        ])

    func session(_ seen: Box = Box()) -> Session {
        let registry = BuiltinRegistry()
        Prelude.register(in: registry)
        registry.function(
            "train", Arg<[Double]>(nil, "data"), Arg("epochs", default: 10, bound: .atLeast(1)),
            Arg<Int?>("stride", default: nil, bound: .atLeast(1)),
            Arg(
                "schedule", choices: Self.schedules, defaultValue: .implicitMember(ImplicitMember(name: "constant")),
                text: ".constant"),
            Arg<[Value]>.variadic("tags", "tags"),
            doc: "A test builtin.", example: "train([1.0], epochs: 2)"
        ) { _, data, epochs, stride, schedule, tags in
            seen.calls.append("\(data) \(epochs) \(stride.map(String.init) ?? "nil") \(schedule) \(tags.count)")
            if data.isEmpty { throw BuiltinError(.value, "no data to train on", parameter: "data") }
            return epochs * 2
        }
        return Session(registry: registry)
    }

    final class Box { var calls: [String] = [] }

    @Test("the body receives typed, named values: labels matched, defaults filled, Ints promoted to Double")
    func typedValues() throws {
        let seen = Box()
        let s = session(seen)
        #expect(s.execute("train([1, 2.5], epochs: 3)").value == .int(6))
        #expect(s.execute("train([1], stride: 2, schedule: .step(every: 4), tags: \"a\", \"b\")").value == .int(20))
        #expect(
            seen.calls == [
                "[1.0, 2.5] 3 nil constant 0", "[1.0] 10 2 step(every: 4, factor: 0.5) 2",
            ])
    }

    @Test("a wrong type, a value out of bounds, an unknown choice: each an error at that argument")
    func errorsAtTheArgument() throws {
        let s = session()
        func rendered(_ code: String) throws -> String {
            let error = try #require(s.execute(code).error)
            return s.render(error)
        }
        let wrongType = try rendered("train([1.0], epochs: \"ten\")")
        #expect(wrongType.contains("error: cannot convert value of type 'String' to expected argument type 'Int'"))
        #expect(wrongType.hasSuffix("\n             ^~~~~~~~~~~~~"), "\(wrongType)")
        let element = try rendered("train([1.0, \"x\"])")
        #expect(element.contains("expected an array of Double, found an element of type 'String'"), "\(element)")
        let bounds = try rendered("train([1.0], epochs: 0)")
        #expect(s.execute("train([1.0], epochs: 0)").error?.kind == .value)
        #expect(bounds.contains("'epochs' must be at least 1, not 0"), "\(bounds)")
        let optionalBounds = try rendered("train([1.0], stride: -1)")
        #expect(optionalBounds.contains("'stride' must be at least 1, not -1"), "\(optionalBounds)")
        let unknown = try rendered("train([1.0], schedule: .stpe(every: 2))")
        #expect(unknown.contains("unknown schedule '.stpe'"), "\(unknown)")
        #expect(unknown.contains("note: did you mean '.step'?"), "\(unknown)")
        #expect(unknown.contains("note: use .constant or .step"), "\(unknown)")
        let choiceBounds = try rendered("train([1.0], schedule: .step(every: 2, factor: 3))")
        #expect(choiceBounds.contains("'factor' must be in 0.0...1.0, not 3.0 in .step(…)"), "\(choiceBounds)")
        let choiceLabel = try rendered("train([1.0], schedule: .step(evry: 2))")
        #expect(
            choiceLabel.contains("error: incorrect argument label in .step(…) (have 'evry:', expected 'every:')"),
            "\(choiceLabel)")
        #expect(choiceLabel.contains("note: did you mean 'every:'?"), "\(choiceLabel)")
        #expect(choiceLabel.contains("declared as .step(every: Int, factor: Double = 0.5)"), "\(choiceLabel)")
        // The carets point at the schedule argument, not at the whole call.
        #expect(choiceLabel.contains("\n             ^~~~~~~~~~~~~~~~~~~~~~~~\n"), "\(choiceLabel)")
    }

    @Test("a body blames a parameter by name and the error points at that argument")
    func blameByName() throws {
        let s = session()
        let error = try #require(s.execute("train([], epochs: 2)").error)
        #expect(error.message == "no data to train on")
        #expect(error.span.start.column == 7)
    }

    @Test("bounds and choices reach the signature, the docs and completion")
    func documentation() throws {
        let s = session()
        let function = try #require(s.registry.functions["train"])
        #expect(
            function.signature.declaration()
                == "func train(_ data: [Double], epochs: Int = 10, stride: Int? = nil, schedule: Schedule = .constant, "
                + "tags: Any...) -> Int")
        #expect(function.signature.parameters.map(\.bounds) == [nil, "≥ 1", "≥ 1", nil, nil])
        #expect(s.registry.markdownReference().contains("`epochs` ≥ 1"))
        s.registry.register(Self.schedules)
        #expect(s.registry.implicitMembers["step"] == "Multiplies by `factor` every `every` epochs.")
    }
}
