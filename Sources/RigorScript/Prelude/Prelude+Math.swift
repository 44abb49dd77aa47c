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
            registry.function(name, Arg<Double>(nil, "x"), doc: doc, example: example) { _, x in f(x) }
        }
        registry.function(
            "pow", Arg<Double>(nil, "base"), Arg<Double>(nil, "exponent"), doc: "`base` raised to `exponent`.",
            example: "pow(2.0, 10.0)   // 1024.0"
        ) { _, base, exponent in Foundation.pow(base, exponent) }
        registry.function(
            "atan2", Arg<Double>(nil, "y"), Arg<Double>(nil, "x"), doc: "The angle of the point (x, y), in radians.",
            example: "atan2(1.0, 1.0)"
        ) { _, y, x in Foundation.atan2(y, x) }
        registry.function(
            "abs", Arg<Number>(nil, "x"), doc: "The absolute value (an Int stays an Int).",
            example: "abs(-3)   // 3\nabs(-2.5)   // 2.5"
        ) { _, x -> Number in
            switch x {
            case .int(let i):
                guard i != .min else {
                    throw BuiltinError(.arithmetic, "abs(Int.min) does not fit in Int", parameter: "x")
                }
                return .int(Swift.abs(i))
            case .double(let d): return .double(Swift.abs(d))
            }
        }
        for (name, wantsLess) in [("min", true), ("max", false)] {
            registry.function(
                name, Arg<Value>(nil, "x"), Arg<Value>(nil, "y"), Arg<[Value]>.variadic(nil, "rest"),
                doc: "The \(wantsLess ? "smallest" : "largest") of two or more numbers or strings.",
                example: "\(name)(3, 7, 5)   // \(wantsLess ? 3 : 7)"
            ) { _, x, y, rest in
                var best = x
                for candidate in [y] + rest where try ordered(candidate, best, less: wantsLess) { best = candidate }
                return best
            }
        }
        registry.function(
            "zip", Arg<Value>(nil, "first", type: "Sequence"), Arg<Value>(nil, "second", type: "Sequence"),
            returns: "[[Any]]",
            doc: "Pairs up the elements of two sequences, as two-element arrays, stopping at the shorter.",
            example: "for (name, score) in zip(names, scores) {\n    print(name, score)\n}"
        ) { context, first, second in
            let a = try Members.elements(of: first, context: context)
            let b = try Members.elements(of: second, context: context)
            return Value.array(zip(a, b).map { .array([$0, $1]) })
        }
        let step = Bound<Number>("finite and non-zero") {
            $0.doubleValue != 0 && $0.doubleValue.isFinite ? nil : "must be finite and non-zero, not \($0.scriptValue)"
        }
        for (label, closed) in [("to", false), ("through", true)] {
            registry.function(
                "stride", Arg<Number>("from"), Arg<Number>(label), Arg<Number>("by", bound: step), returns: "[Number]",
                doc: "The numbers from `from` \(closed ? "through (including)" : "up to (excluding)") `\(label)`, "
                    + "stepping by `by` (Ints if all three are Ints).",
                example: "stride(from: 0.0, \(label): 1.0, by: 0.25)"
            ) { _, from, end, by in
                if case .int(let start) = from, case .int(let end) = end, case .int(let step) = by {
                    let values =
                        closed
                        ? Array(Swift.stride(from: start, through: end, by: step))
                        : Array(Swift.stride(from: start, to: end, by: step))
                    return values.scriptValue
                }
                let (start, end, step) = (from.doubleValue, end.doubleValue, by.doubleValue)
                let count = ((end - start) / step).rounded(.down)
                guard count <= 100_000_000 else {
                    throw BuiltinError(.value, "stride would produce too many values")
                }
                let values =
                    closed
                    ? Array(Swift.stride(from: start, through: end, by: step))
                    : Array(Swift.stride(from: start, to: end, by: step))
                return values.scriptValue
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
