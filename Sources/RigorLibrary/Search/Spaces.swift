// `.uniform(a, b)`, `.logUniform(a, b)`, `.int(a, b, step:)`, `.choice([…])`, `.fixed(x)`: a parameter's space as the
// user writes it. One table serves the search builtins (a distribution to sample; docs/search.md, "Spaces") and
// `interact` (the control that covers it; docs/widgets.md), so a space written for one reads the same in the other.
import RigorScript
import Search

/// A space as written. `value:` (a control's starting value), a float `step:` (a slider's) and `.fixed` only make
/// sense for `interact`; `log:` on `.int` only for a search. Each side refuses what it cannot use, with the reason.
/// Ranges are checked by the side that uses them: a search accepts `.int(5, 5)`, a slider needs two values.
enum ParameterSpace {
    case uniform(low: Double, high: Double, step: Double?, value: Double?)
    case logUniform(low: Double, high: Double, value: Double?)
    case int(low: Int, high: Int, step: Int, log: Bool, value: Int?)
    case choice([Value], value: Value?)
    case fixed(Value)

    /// The distribution a search samples, or an error naming what only `interact` understands.
    func distribution() throws -> Distribution {
        func interactOnly(_ what: String) -> BuiltinError {
            BuiltinError(
                .value, "\(what) is for interact's controls; a search space takes none",
                notes: [
                    "write the space without it: .uniform(a, b), .logUniform(a, b), .int(a, b, step:), .choice([…])"
                ]
            )
        }
        switch self {
        case .uniform(let low, let high, let step, let value):
            if step != nil {
                throw BuiltinError(
                    .value, "a step on .uniform is for interact's slider; a search samples the whole range",
                    notes: ["for a stepped search use .int(a, b, step:) or .choice([…])"])
            }
            if value != nil { throw interactOnly("value:") }
            return .uniform(low, high)
        case .logUniform(let low, let high, let value):
            if value != nil { throw interactOnly("value:") }
            return .logUniform(low, high)
        case .int(let low, let high, let step, let log, let value):
            if value != nil { throw interactOnly("value:") }
            return .int(low, high, step: step, log: log)
        case .choice(let values, let value):
            if value != nil { throw interactOnly("value:") }
            return .choice(
                try values.map { item in
                    guard let value = ParameterValue(item) else {
                        throw BuiltinError(.type, "choices are numbers, strings or flags, not '\(item.typeName)'")
                    }
                    return value
                })
        case .fixed:
            throw BuiltinError(
                .value, ".fixed is interact's value without a control; a search space has no fixed parameters",
                notes: ["use the value itself in the objective"])
        }
    }
}

extension RigorLibrary {
    /// The one table of spaces, registered once (by the search family) for completion and the builtin reference.
    static let parameterSpaces = Choices<ParameterSpace>(
        "Space", noun: "space",
        [
            .init(
                "uniform", Arg<Double>(nil, "low"), Arg<Double>(nil, "high"),
                Arg<Double?>("step", default: nil, bound: .greaterThan(0.0)), Arg<Double?>("value", default: nil),
                doc: "A float in low...high, sampled evenly; in `interact` a slider (100 steps unless `step` is "
                    + "given) starting at `value` or in the middle."
            ) { .uniform(low: $0, high: $1, step: $2, value: $3) },
            .init(
                "logUniform", Arg<Double>(nil, "low"), Arg<Double>(nil, "high"), Arg<Double?>("value", default: nil),
                doc: "A float in low...high (0 < low), evenly in log space; in `interact` a logarithmic slider "
                    + "starting at `value` or the geometric mean."
            ) { .logUniform(low: $0, high: $1, value: $2) },
            .init(
                "int", Arg<Int>(nil, "low"), Arg<Int>(nil, "high"), Arg("step", default: 1, bound: .atLeast(1)),
                Arg("log", default: false), Arg<Int?>("value", default: nil),
                doc: "An integer low, low + step, … ≤ high (a search may sample it evenly in log space with "
                    + "`log: true`); in `interact` an integer slider starting at `value` or in the middle."
            ) { .int(low: $0, high: $1, step: $2, log: $3, value: $4) },
            .init(
                "choice", Arg<[Value]>(nil, "values"), Arg<Value?>("value", default: nil),
                doc: "One of the values (for a search: numbers, strings or flags); in `interact` a dropdown "
                    + "starting at `value` or the first."
            ) { .choice($0, value: $1) },
            .init(
                "fixed", Arg<Value>(nil, "value"),
                doc: "In `interact`, a value passed as it is, with no control (ipywidgets' `fixed`)."
            ) { .fixed($0) },
        ])
}
