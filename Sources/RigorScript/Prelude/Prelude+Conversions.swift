import Foundation
import OrderedCollections

extension Prelude {
    static func registerConversions(in registry: BuiltinRegistry) {
        registry.beginFamily("Conversions")
        let int = registry.intType!
        int.addInitializer(
            BuiltinFunction(
                Signature(
                    "Int", [.positional("value")], returns: "Int?",
                    doc: "Converts a Double (truncating toward zero), a Bool, or a String (nil if it is not an "
                        + "integer) to an Int.",
                    example: "Int(3.9)      // 3\nInt(\"42\")     // 42\nInt(\"4.2\")    // nil")
            ) { arguments, _ in
                switch arguments[0] {
                case .int: return arguments[0]
                case .double(let d):
                    guard d.isFinite, let i = Int(exactly: d.rounded(.towardZero)) else {
                        throw BuiltinError(
                            .value, "Double value \(Value.format(d)) cannot be converted to Int", argument: 0,
                            notes: ["it is infinite, NaN or outside Int's range"])
                    }
                    return .int(i)
                case .bool(let b): return .int(b ? 1 : 0)
                case .string(let s):
                    return Int(s.trimmingCharacters(in: .whitespaces)).map(Value.int) ?? .nil
                default:
                    throw BuiltinError(
                        .type, "cannot convert value of type '\(arguments[0].typeName)' to Int", argument: 0)
                }
            })
        int.staticProperty("max", type: "Int", doc: "The largest Int, 9223372036854775807.", .int(.max))
        int.staticProperty("min", type: "Int", doc: "The smallest Int, -9223372036854775808.", .int(.min))
        int.method(
            "isMultiple", [.labeled("of", "Int")], returns: "Bool", doc: "Whether the number divides by `of` evenly.",
            example: "10.isMultiple(of: 5)   // true"
        ) { receiver, arguments, _ in
            guard case .int(let i) = receiver else { return .nil }
            let d = try arguments.int(0)
            return .bool(d == 0 ? i == 0 : i % d == 0)
        }

        let double = registry.doubleType!
        double.addInitializer(
            BuiltinFunction(
                Signature(
                    "Double", [.positional("value")], returns: "Double?",
                    doc: "Converts an Int or a String (nil if it is not a number) to a Double.",
                    example: "Double(3)        // 3.0\nDouble(\"1e-3\")  // 0.001")
            ) { arguments, _ in
                switch arguments[0] {
                case .double: return arguments[0]
                case .int(let i): return .double(Double(i))
                case .string(let s): return Double(s.trimmingCharacters(in: .whitespaces)).map(Value.double) ?? .nil
                default:
                    throw BuiltinError(
                        .type, "cannot convert value of type '\(arguments[0].typeName)' to Double", argument: 0)
                }
            })
        double.staticProperty("pi", type: "Double", doc: "π, 3.141592653589793.", .double(.pi))
        double.staticProperty("infinity", type: "Double", doc: "Positive infinity.", .double(.infinity))
        double.staticProperty("nan", type: "Double", doc: "Not a number.", .double(.nan))
        double.staticProperty(
            "greatestFiniteMagnitude", type: "Double", doc: "The largest finite Double.",
            .double(.greatestFiniteMagnitude))
        double.staticProperty(
            "ulpOfOne", type: "Double", doc: "The machine epsilon, 2.220446049250313e-16.", .double(.ulpOfOne))
        double.property("isNaN", type: "Bool", doc: "Whether the value is NaN.") {
            .bool($0.doubleValue?.isNaN ?? false)
        }
        double.property("isFinite", type: "Bool", doc: "Whether the value is neither infinite nor NaN.") {
            .bool($0.doubleValue?.isFinite ?? false)
        }
        double.property("isInfinite", type: "Bool", doc: "Whether the value is ±infinity.") {
            .bool($0.doubleValue?.isInfinite ?? false)
        }
        double.method(
            "rounded", returns: "Double", doc: "The value rounded to the nearest integer (halves away from zero).",
            example: "2.5.rounded()   // 3.0"
        ) { receiver, _, _ in
            .double(receiver.doubleValue?.rounded() ?? .nan)
        }
        double.method("squareRoot", returns: "Double", doc: "The square root.", example: "2.0.squareRoot()") {
            receiver, _, _ in
            .double((receiver.doubleValue ?? .nan).squareRoot())
        }

        let string = registry.stringType!
        string.addInitializer(
            BuiltinFunction(
                Signature(
                    "String", [.positional("value")], returns: "String",
                    doc: "The value's description, as `print` shows it.",
                    example: "String(42)    // \"42\"\nString(0.5)   // \"0.5\"")
            ) { arguments, _ in .string(arguments[0].description) })
        string.addInitializer(
            BuiltinFunction(
                Signature(
                    "String",
                    [.labeled("format", "String"), .init(nil, "arguments", type: "Any", variadic: true)],
                    returns: "String",
                    doc: "Formats numbers and text with printf-style specifiers: %d, %f, %.4f, %e, %g, %s, %5.1f, %%.",
                    example: "String(format: \"%.4f\", 0.123456)   // \"0.1235\"")
            ) { arguments, _ in
                .string(try StringFormatter.format(try arguments.string(0), try arguments.array(1)))
            })
        string.addInitializer(
            BuiltinFunction(
                Signature(
                    "String", [.labeled("repeating", "String"), .labeled("count", "Int")], returns: "String",
                    doc: "The string repeated `count` times.", example: "String(repeating: \"=\", count: 20)")
            ) { arguments, context in
                let count = try arguments.int(1)
                guard count >= 0 else { throw BuiltinError(.value, "count must not be negative", argument: 1) }
                let text = try arguments.string(0)
                try context.registry.checkAllocation(
                    count: count, stride: text.utf8.count, operation: "String(repeating:count:)", argument: 1)
                return .string(String(repeating: text, count: count))
            })

        let bool = registry.boolType!
        bool.addInitializer(
            BuiltinFunction(
                Signature(
                    "Bool", [.positional("value")], returns: "Bool?",
                    doc: "Converts \"true\" / \"false\" to a Bool (nil otherwise).", example: "Bool(\"true\")   // true"
                )
            ) { arguments, _ in
                switch arguments[0] {
                case .bool: return arguments[0]
                case .string("true"): return .bool(true)
                case .string("false"): return .bool(false)
                case .string: return .nil
                default:
                    throw BuiltinError(
                        .type, "cannot convert value of type '\(arguments[0].typeName)' to Bool", argument: 0)
                }
            })
        bool.method("toggle", mutating: true, doc: "Flips the value.", example: "var on = true\non.toggle()") {
            receiver, _, _ in
            if case .bool(let b) = receiver { receiver = .bool(!b) }
            return .nil
        }

        let array = registry.arrayType!
        array.addInitializer(
            BuiltinFunction(
                Signature(
                    "Array", [], returns: "Array", doc: "An empty array (as `[]`).", example: "var losses = [Double]()")
            ) { _, _ in .array([]) })
        array.addInitializer(
            BuiltinFunction(
                Signature(
                    "Array", [.positional("sequence")], returns: "Array",
                    doc: "The elements of a range, string, dictionary (its keys) or array, as an array.",
                    example: "Array(0..<3)    // [0, 1, 2]")
            ) { arguments, context in .array(try Members.elements(of: arguments[0], context: context)) })
        array.addInitializer(
            BuiltinFunction(
                Signature(
                    "Array", [.labeled("repeating"), .labeled("count", "Int")], returns: "Array",
                    doc: "An array holding `count` copies of a value.", example: "Array(repeating: 0.0, count: 3)")
            ) { arguments, context in
                let count = try arguments.int(1)
                guard count >= 0 else { throw BuiltinError(.value, "count must not be negative", argument: 1) }
                try context.registry.checkAllocation(
                    count: count, stride: BuiltinRegistry.valueStride, operation: "Array(repeating:count:)", argument: 1
                )
                return .array(Array(repeating: arguments[0], count: count))
            })

        let dictionary = registry.dictionaryType!
        dictionary.addInitializer(
            BuiltinFunction(
                Signature(
                    "Dictionary", [], returns: "Dictionary", doc: "An empty dictionary (as `[:]`).",
                    example: "var counts = [String: Int]()")
            ) { _, _ in .dictionary([:]) })
        dictionary.addInitializer(
            BuiltinFunction(
                Signature(
                    "Dictionary", [.labeled("uniqueKeysWithValues", "Sequence")], returns: "Dictionary",
                    doc:
                        "A dictionary from `[key, value]` pairs (as `zip` and `enumerated` give); a repeated key is an error.",
                    example: "Dictionary(uniqueKeysWithValues: zip([\"a\", \"b\"], [1, 2]))   // [\"a\": 1, \"b\": 2]")
            ) { arguments, context in
                var result = OrderedDictionary<Value, Value>()
                for pair in try Members.elements(of: arguments[0], context: context) {
                    guard case .array(let parts) = pair, parts.count == 2 else {
                        throw BuiltinError(
                            .type, "each element must be a [key, value] pair, not '\(pair.typeName)'", argument: 0)
                    }
                    guard result.updateValue(parts[1], forKey: parts[0]) == nil else {
                        throw BuiltinError(
                            .value, "duplicate key \(parts[0].debugDescription) in uniqueKeysWithValues", argument: 0)
                    }
                }
                return .dictionary(result)
            })
    }
}
