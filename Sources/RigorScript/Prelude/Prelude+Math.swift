import Foundation

extension Prelude {
    static func registerMath(in registry: BuiltinRegistry) {
        registry.beginFamily("Math")
        let unary: [(String, String, String, (Double) -> Double)] = [
            ("sqrt", "The square root.", "sqrt(2.0)   // 1.4142135623730951", { $0.squareRoot() }),
            ("exp", "e raised to the power x.", "exp(1.0)   // 2.718281828459045", { Foundation.exp($0) }),
            ("log", "The natural logarithm.", "log(Double.pi)", { Foundation.log($0) }),
            ("log2", "The base-2 logarithm.", "log2(8.0)   // 3.0", { Foundation.log2($0) }),
            ("log10", "The base-10 logarithm.", "log10(1000.0)   // 3.0", { Foundation.log10($0) }),
            (
                "floor", "The largest integer value not greater than x, as a Double.", "floor(2.7)   // 2.0",
                { $0.rounded(.down) }
            ),
            (
                "ceil", "The smallest integer value not less than x, as a Double.", "ceil(2.1)   // 3.0",
                { $0.rounded(.up) }
            ),
            (
                "round", "x rounded to the nearest integer, halves away from zero.", "round(2.5)   // 3.0",
                { $0.rounded() }
            ),
            ("sin", "The sine (radians).", "sin(Double.pi / 2)   // 1.0", { Foundation.sin($0) }),
            ("cos", "The cosine (radians).", "cos(0.0)   // 1.0", { Foundation.cos($0) }),
            ("tan", "The tangent (radians).", "tan(0.0)   // 0.0", { Foundation.tan($0) }),
            ("tanh", "The hyperbolic tangent.", "tanh(0.5)", { Foundation.tanh($0) }),
            ("atan", "The arctangent (radians).", "atan(1.0) * 4   // π", { Foundation.atan($0) }),
        ]
        for (name, doc, example, f) in unary {
            registry.function(name, [.positional("x", "Double")], returns: "Double", doc: doc, example: example) {
                arguments, _ in .double(f(try arguments.double(0)))
            }
        }
        registry.function(
            "pow", [.positional("base", "Double"), .positional("exponent", "Double")], returns: "Double",
            doc: "`base` raised to `exponent`.", example: "pow(2.0, 10.0)   // 1024.0"
        ) { arguments, _ in .double(Foundation.pow(try arguments.double(0), try arguments.double(1))) }
        registry.function(
            "atan2", [.positional("y", "Double"), .positional("x", "Double")], returns: "Double",
            doc: "The angle of the point (x, y), in radians.", example: "atan2(1.0, 1.0)"
        ) { arguments, _ in .double(Foundation.atan2(try arguments.double(0), try arguments.double(1))) }
        registry.function(
            "abs", [.positional("x", "Number")], returns: "Number", doc: "The absolute value (an Int stays an Int).",
            example: "abs(-3)   // 3\nabs(-2.5)   // 2.5"
        ) { arguments, _ in
            switch arguments[0] {
            case .int(let i):
                guard i != .min else {
                    throw BuiltinError(.arithmetic, "abs(Int.min) does not fit in Int", argument: 0)
                }
                return .int(Swift.abs(i))
            case .double(let d): return .double(Swift.abs(d))
            default: throw BuiltinError(.type, "abs needs a number, not '\(arguments[0].typeName)'", argument: 0)
            }
        }
        for (name, wantsLess) in [("min", true), ("max", false)] {
            registry.function(
                name,
                [
                    .positional("x"), .positional("y"),
                    .init(nil, "rest", type: "Any", default: .array([]), defaultText: "", variadic: true),
                ],
                returns: "Any",
                doc: "The \(wantsLess ? "smallest" : "largest") of two or more numbers or strings.",
                example: "\(name)(3, 7, 5)   // \(wantsLess ? 3 : 7)"
            ) { arguments, _ in
                var best = arguments[0]
                for candidate in [arguments[1]] + (try arguments.array(2)) {
                    if try ordered(candidate, best, less: wantsLess) { best = candidate }
                }
                return best
            }
        }
        registry.function(
            "zip", [.positional("first", "Sequence"), .positional("second", "Sequence")], returns: "[[Any]]",
            doc: "Pairs up the elements of two sequences, as two-element arrays, stopping at the shorter.",
            example: "for (name, score) in zip(names, scores) {\n    print(name, score)\n}"
        ) { arguments, context in
            let a = try Members.elements(of: arguments[0], context: context)
            let b = try Members.elements(of: arguments[1], context: context)
            return .array(zip(a, b).map { .array([$0, $1]) })
        }
        for (label, closed) in [("to", false), ("through", true)] {
            registry.function(
                "stride", [.labeled("from", "Number"), .labeled(label, "Number"), .labeled("by", "Number")],
                returns: "[Number]",
                doc: "The numbers from `from` \(closed ? "through (including)" : "up to (excluding)") `\(label)`, "
                    + "stepping by `by` (Ints if all three are Ints).",
                example: "stride(from: 0.0, \(label): 1.0, by: 0.25)"
            ) { arguments, _ in
                if case .int(let start) = arguments[0], case .int(let end) = arguments[1],
                    case .int(let step) = arguments[2]
                {
                    guard step != 0 else { throw BuiltinError(.value, "stride step must not be zero", argument: 2) }
                    let values =
                        closed
                        ? Array(Swift.stride(from: start, through: end, by: step))
                        : Array(Swift.stride(from: start, to: end, by: step))
                    return .array(values.map(Value.int))
                }
                let start = try arguments.double(0)
                let end = try arguments.double(1)
                let step = try arguments.double(2)
                guard step != 0, step.isFinite else {
                    throw BuiltinError(.value, "stride step must be finite and non-zero", argument: 2)
                }
                let values =
                    closed
                    ? Array(Swift.stride(from: start, through: end, by: step))
                    : Array(Swift.stride(from: start, to: end, by: step))
                guard values.count <= 100_000_000 else {
                    throw BuiltinError(.value, "stride would produce too many values")
                }
                return .array(values.map(Value.double))
            }
        }
    }

    /// Whether `a` comes before `b` (or after, for `less: false`); numbers and strings only.
    static func ordered(_ a: Value, _ b: Value, less: Bool) throws -> Bool {
        switch (a, b) {
        case (.int(let x), .int(let y)): return less ? x < y : x > y
        case (.string(let x), .string(let y)): return less ? x < y : x > y
        default:
            guard let x = a.doubleValue, let y = b.doubleValue else {
                throw BuiltinError(.type, "cannot compare values of type '\(a.typeName)' and '\(b.typeName)'")
            }
            return less ? x < y : x > y
        }
    }
}
