import Foundation

extension Prelude {
    static func registerString(in registry: BuiltinRegistry) {
        registry.beginFamily("Strings")
        let string = registry.stringType!
        func text(_ value: Value) -> String { value.stringValue ?? "" }
        string.property("count", type: "Int", doc: "The number of characters (grapheme clusters).") {
            .int(text($0).count)
        }
        string.property("isEmpty", type: "Bool", doc: "Whether the string has no characters.") {
            .bool(text($0).isEmpty)
        }
        string.property("first", type: "String?", doc: "The first character, or nil if empty.") {
            text($0).first.map { .string(String($0)) } ?? .nil
        }
        string.property("last", type: "String?", doc: "The last character, or nil if empty.") {
            text($0).last.map { .string(String($0)) } ?? .nil
        }
        string.method(
            "uppercased", returns: "String", doc: "The string in upper case.",
            example: "\"relu\".uppercased()   // \"RELU\""
        ) {
            receiver, _, _ in .string(text(receiver).uppercased())
        }
        string.method(
            "lowercased", returns: "String", doc: "The string in lower case.",
            example: "\"ReLU\".lowercased()   // \"relu\""
        ) {
            receiver, _, _ in .string(text(receiver).lowercased())
        }
        string.method(
            "hasPrefix", [.positional("prefix", "String")], returns: "Bool",
            doc: "Whether the string starts with `prefix`.",
            example: "\"model.rigor\".hasPrefix(\"model\")   // true"
        ) { receiver, arguments, _ in .bool(text(receiver).hasPrefix(try arguments.string(0))) }
        string.method(
            "hasSuffix", [.positional("suffix", "String")], returns: "Bool",
            doc: "Whether the string ends with `suffix`.",
            example: "\"weights.safetensors\".hasSuffix(\".safetensors\")   // true"
        ) { receiver, arguments, _ in .bool(text(receiver).hasSuffix(try arguments.string(0))) }
        string.method(
            "contains", [.positional("other", "String")], returns: "Bool", doc: "Whether `other` occurs in the string.",
            example: "\"learning rate\".contains(\"rate\")   // true"
        ) { receiver, arguments, _ in
            let needle = try arguments.string(0)
            return .bool(needle.isEmpty || text(receiver).contains(needle))
        }
        string.method(
            "split", [.labeled("separator", "String")], returns: "[String]",
            doc: "The pieces between occurrences of `separator` (empty pieces are dropped, as in Swift).",
            example: "\"a,b,,c\".split(separator: \",\")   // [\"a\", \"b\", \"c\"]"
        ) { receiver, arguments, _ in
            let separator = try arguments.string(0)
            guard !separator.isEmpty else { throw BuiltinError(.value, "separator must not be empty", argument: 0) }
            return .array(text(receiver).components(separatedBy: separator).filter { !$0.isEmpty }.map(Value.string))
        }
        string.method(
            "components", [.labeled("separatedBy", "String")], returns: "[String]",
            doc: "The pieces between occurrences of the separator, keeping empty pieces.",
            example: "\"a,b,,c\".components(separatedBy: \",\")   // [\"a\", \"b\", \"\", \"c\"]"
        ) { receiver, arguments, _ in
            let separator = try arguments.string(0)
            guard !separator.isEmpty else { throw BuiltinError(.value, "separator must not be empty", argument: 0) }
            return .array(text(receiver).components(separatedBy: separator).map(Value.string))
        }
        string.method(
            "replacingOccurrences", [.labeled("of", "String"), .labeled("with", "String")], returns: "String",
            doc: "The string with every occurrence of `of` replaced by `with`.",
            example: "\"a-b-c\".replacingOccurrences(of: \"-\", with: \"+\")   // \"a+b+c\""
        ) { receiver, arguments, _ in
            let target = try arguments.string(0)
            guard !target.isEmpty else { return receiver }
            return .string(text(receiver).replacingOccurrences(of: target, with: try arguments.string(1)))
        }
        string.method(
            "trimmingCharacters", [.labeled("in", "CharacterSet")], returns: "String",
            doc: "The string without leading and trailing `.whitespaces` or `.whitespacesAndNewlines`.",
            example: "\"  hi \\n\".trimmingCharacters(in: .whitespacesAndNewlines)   // \"hi\""
        ) { receiver, arguments, _ in
            let member = try arguments.implicitMember(0, expected: "CharacterSet")
            let set: CharacterSet
            switch member.name {
            case "whitespaces": set = .whitespaces
            case "whitespacesAndNewlines": set = .whitespacesAndNewlines
            case "newlines": set = .newlines
            default:
                throw BuiltinError(
                    .value, "unknown character set '.\(member.name)'", argument: 0,
                    notes: ["use .whitespaces, .newlines or .whitespacesAndNewlines"])
            }
            return .string(text(receiver).trimmingCharacters(in: set))
        }
        for name in ["whitespaces", "whitespacesAndNewlines", "newlines"] {
            registry.registerImplicitMember(name, doc: "a character set for trimmingCharacters(in:)")
        }
        string.method(
            "prefix", [.positional("maxLength", "Int")], returns: "String", doc: "The first `maxLength` characters.",
            example: "\"tensor\".prefix(3)   // \"ten\""
        ) { receiver, arguments, _ in .string(String(text(receiver).prefix(max(0, try arguments.int(0))))) }
        string.method(
            "suffix", [.positional("maxLength", "Int")], returns: "String", doc: "The last `maxLength` characters.",
            example: "\"tensor\".suffix(3)   // \"sor\""
        ) { receiver, arguments, _ in .string(String(text(receiver).suffix(max(0, try arguments.int(0))))) }
        string.method(
            "dropFirst", [.init(nil, "k", type: "Int", default: .int(1))], returns: "String",
            doc: "All but the first `k` characters.",
            example: "\"#tag\".dropFirst()   // \"tag\""
        ) { receiver, arguments, _ in .string(String(text(receiver).dropFirst(max(0, try arguments.int(0))))) }
        string.method(
            "dropLast", [.init(nil, "k", type: "Int", default: .int(1))], returns: "String",
            doc: "All but the last `k` characters.",
            example: "\"line\\n\".dropLast()   // \"line\""
        ) { receiver, arguments, _ in .string(String(text(receiver).dropLast(max(0, try arguments.int(0))))) }
        string.method(
            "reversed", returns: "String", doc: "The characters in reverse order.",
            example: "\"abc\".reversed()   // \"cba\""
        ) {
            receiver, _, _ in .string(String(text(receiver).reversed()))
        }
        string.method(
            "firstIndex", [.labeled("of", "String")], returns: "Int?",
            doc: "The character offset of the first occurrence of a character, or nil.",
            example: "\"a=b\".firstIndex(of: \"=\")   // 1"
        ) { receiver, arguments, _ in
            let characters = Array(text(receiver))
            let target = try arguments.string(0)
            return characters.firstIndex { String($0) == target }.map(Value.int) ?? .nil
        }
        string.method(
            "map", [.closure(nil, "transform", "(String) -> T")], returns: "[T]",
            doc: "Maps each character (as a String).",
            example: "\"abc\".map { $0.uppercased() }   // [\"A\", \"B\", \"C\"]"
        ) { receiver, arguments, context in
            .array(try text(receiver).map { try context.call(arguments[0], [.string(String($0))]) })
        }
        string.method(
            "filter", [.closure(nil, "isIncluded", "(String) -> Bool")], returns: "String",
            doc: "The characters for which `isIncluded` is true.",
            example: "\"a1b2\".filter { Int($0) == nil }   // \"ab\""
        ) { receiver, arguments, context in
            .string(
                String(
                    try text(receiver).filter {
                        try requireBool(context.call(arguments[0], [.string(String($0))]), "filter")
                    }))
        }
        string.method(
            "sorted", returns: "[String]", doc: "The characters in ascending order.",
            example: "\"cab\".sorted()   // [\"a\", \"b\", \"c\"]"
        ) {
            receiver, _, _ in .array(text(receiver).sorted().map { .string(String($0)) })
        }
        string.method(
            "starts", [.labeled("with", "String")], returns: "Bool", doc: "Whether the string starts with `with`.",
            example: "\"epoch 3\".starts(with: \"epoch\")   // true"
        ) { receiver, arguments, _ in .bool(text(receiver).hasPrefix(try arguments.string(0))) }
    }
}
