import Foundation
import OrderedCollections

extension Prelude {
    static func registerConversions(in registry: BuiltinRegistry) {
        registry.beginFamily("Conversions")
        let int = TypeBuilder<Int>(descriptor: registry.intType)
        int.initializer(
            Arg<Value>(nil, "value"),
            doc: "Converts a Double (truncating toward zero), a Bool, or a String (nil if it is not an integer) to an "
                + "Int.",
            example: "Int(3.9)      // 3\nInt(\"42\")     // 42\nInt(\"4.2\")    // nil"
        ) { _, value -> Int? in
            switch value {
            case .int(let i): return i
            case .double(let d):
                guard d.isFinite, let i = Int(exactly: d.rounded(.towardZero)) else {
                    throw BuiltinError(
                        .value, "Double value \(Value.format(d)) cannot be converted to Int", parameter: "value",
                        notes: ["it is infinite, NaN or outside Int's range"])
                }
                return i
            case .bool(let b): return b ? 1 : 0
            case .string(let s): return Int(s.trimmingCharacters(in: .whitespaces))
            default:
                throw BuiltinError(
                    .type, "cannot convert value of type '\(value.typeName)' to Int", parameter: "value")
            }
        }
        int.staticProperty("max", type: "Int", doc: "The largest Int, 9223372036854775807.", .int(.max))
        int.staticProperty("min", type: "Int", doc: "The smallest Int, -9223372036854775808.", .int(.min))
        int.method(
            "isMultiple", Arg<Int>("of"), doc: "Whether the number divides by `of` evenly.",
            example: "10.isMultiple(of: 5)   // true"
        ) { i, _, d in d == 0 ? i == 0 : i % d == 0 }

        let double = TypeBuilder<Double>(descriptor: registry.doubleType)
        double.initializer(
            Arg<Value>(nil, "value"), doc: "Converts an Int or a String (nil if it is not a number) to a Double.",
            example: "Double(3)        // 3.0\nDouble(\"1e-3\")  // 0.001"
        ) { _, value -> Double? in
            switch value {
            case .double(let d): return d
            case .int(let i): return Double(i)
            case .string(let s): return Double(s.trimmingCharacters(in: .whitespaces))
            default:
                throw BuiltinError(
                    .type, "cannot convert value of type '\(value.typeName)' to Double", parameter: "value")
            }
        }
        double.staticProperty("pi", type: "Double", doc: "π, 3.141592653589793.", .double(.pi))
        double.staticProperty("infinity", type: "Double", doc: "Positive infinity.", .double(.infinity))
        double.staticProperty("nan", type: "Double", doc: "Not a number.", .double(.nan))
        double.staticProperty(
            "greatestFiniteMagnitude", type: "Double", doc: "The largest finite Double.",
            .double(.greatestFiniteMagnitude))
        double.staticProperty(
            "ulpOfOne", type: "Double", doc: "The machine epsilon, 2.220446049250313e-16.", .double(.ulpOfOne))
        double.property("isNaN", doc: "Whether the value is NaN.") { $0.isNaN }
        double.property("isFinite", doc: "Whether the value is neither infinite nor NaN.") { $0.isFinite }
        double.property("isInfinite", doc: "Whether the value is ±infinity.") { $0.isInfinite }
        double.method(
            "rounded", doc: "The value rounded to the nearest integer (halves away from zero).",
            example: "2.5.rounded()   // 3.0"
        ) { d, _ in d.rounded() }
        double.method("squareRoot", doc: "The square root.", example: "2.0.squareRoot()") { d, _ in d.squareRoot() }

        let string = TypeBuilder<String>(descriptor: registry.stringType)
        string.initializer(
            Arg<Value>(nil, "value"), doc: "The value's description, as `print` shows it.",
            example: "String(42)    // \"42\"\nString(0.5)   // \"0.5\""
        ) { _, value in value.description }
        string.initializer(
            Arg<String>("format"), Arg<[Value]>.variadic(nil, "arguments"),
            doc: "Formats numbers and text with printf-style specifiers: %d, %f, %.4f, %e, %g, %s, %5.1f, %%.",
            example: "String(format: \"%.4f\", 0.123456)   // \"0.1235\""
        ) { _, format, arguments in try StringFormatter.format(format, arguments) }
        string.initializer(
            Arg<String>("repeating"), Arg<Int>("count", bound: .atLeast(0)),
            doc: "The string repeated `count` times.", example: "String(repeating: \"=\", count: 20)"
        ) { context, text, count in
            try context.registry.checkAllocation(
                count: count, stride: text.utf8.count, operation: "String(repeating:count:)", parameter: "count")
            return String(repeating: text, count: count)
        }

        let bool = TypeBuilder<Value>(descriptor: registry.boolType)
        bool.initializer(
            Arg<Value>(nil, "value"), doc: "Converts \"true\" / \"false\" to a Bool (nil otherwise).",
            example: "Bool(\"true\")   // true"
        ) { _, value -> Bool? in
            switch value {
            case .bool(let b): return b
            case .string("true"): return true
            case .string("false"): return false
            case .string: return nil
            default:
                throw BuiltinError(
                    .type, "cannot convert value of type '\(value.typeName)' to Bool", parameter: "value")
            }
        }
        bool.mutatingMethod("toggle", returns: "Void", doc: "Flips the value.", example: "var on = true\non.toggle()") {
            (receiver: inout Value, _: CallContext) in
            if case .bool(let b) = receiver { receiver = .bool(!b) }
            return Value.nil
        }

        let array = TypeBuilder<Value>(descriptor: registry.arrayType)
        array.initializer(doc: "An empty array (as `[]`).", example: "var losses = [Double]()") { _ in
            Value.array([])
        }
        array.initializer(
            Arg<Value>(nil, "sequence"),
            doc: "The elements of a range, string, dictionary (its keys) or array, as an array.",
            example: "Array(0..<3)    // [0, 1, 2]"
        ) { context, sequence in try Members.elements(of: sequence, context: context) }
        array.initializer(
            Arg<Value>("repeating"), Arg<Int>("count", bound: .atLeast(0)),
            doc: "An array holding `count` copies of a value.", example: "Array(repeating: 0.0, count: 3)"
        ) { context, value, count in
            try context.registry.checkAllocation(
                count: count, stride: BuiltinRegistry.valueStride, operation: "Array(repeating:count:)",
                parameter: "count")
            return Array(repeating: value, count: count)
        }

        let dictionary = TypeBuilder<Value>(descriptor: registry.dictionaryType)
        dictionary.initializer(doc: "An empty dictionary (as `[:]`).", example: "var counts = [String: Int]()") { _ in
            Value.dictionary([:])
        }
        dictionary.initializer(
            Arg<Value>("uniqueKeysWithValues", type: "Sequence"),
            doc: "A dictionary from `[key, value]` pairs (as `zip` and `enumerated` give); a repeated key is an error.",
            example: "Dictionary(uniqueKeysWithValues: zip([\"a\", \"b\"], [1, 2]))   // [\"a\": 1, \"b\": 2]"
        ) { context, pairs in
            var result = OrderedDictionary<Value, Value>()
            for pair in try Members.elements(of: pairs, context: context) {
                guard case .array(let parts) = pair, parts.count == 2 else {
                    throw BuiltinError(
                        .type, "each element must be a [key, value] pair, not '\(pair.typeName)'",
                        parameter: "uniqueKeysWithValues")
                }
                guard result.updateValue(parts[1], forKey: parts[0]) == nil else {
                    throw BuiltinError(
                        .value, "duplicate key \(parts[0].debugDescription) in uniqueKeysWithValues",
                        parameter: "uniqueKeysWithValues")
                }
            }
            return Value.dictionary(result)
        }
    }
}
