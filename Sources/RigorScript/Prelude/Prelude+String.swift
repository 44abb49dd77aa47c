import Foundation

extension Prelude {
    /// `trimmingCharacters(in: .whitespaces)`.
    static let characterSets = Choices<CharacterSet>(
        "CharacterSet", noun: "character set",
        [
            .init("whitespaces", doc: "a character set for trimmingCharacters(in:)") { .whitespaces },
            .init("whitespacesAndNewlines", doc: "a character set for trimmingCharacters(in:)") {
                .whitespacesAndNewlines
            },
            .init("newlines", doc: "a character set for trimmingCharacters(in:)") { .newlines },
        ])

    static func registerString(in registry: BuiltinRegistry) {
        registry.beginFamily("Strings")
        let string = TypeBuilder<String>(descriptor: registry.stringType)
        string.property("count", doc: "The number of characters (grapheme clusters).") { $0.count }
        string.property("isEmpty", doc: "Whether the string has no characters.") { $0.isEmpty }
        string.property("first", doc: "The first character, or nil if empty.") { $0.first.map { String($0) } }
        string.property("last", doc: "The last character, or nil if empty.") { $0.last.map { String($0) } }
        string.method(
            "uppercased", doc: "The string in upper case.", example: "\"relu\".uppercased()   // \"RELU\""
        ) { text, _ in text.uppercased() }
        string.method(
            "lowercased", doc: "The string in lower case.", example: "\"ReLU\".lowercased()   // \"relu\""
        ) { text, _ in text.lowercased() }
        string.method(
            "hasPrefix", Arg<String>(nil, "prefix"), doc: "Whether the string starts with `prefix`.",
            example: "\"model.rigor\".hasPrefix(\"model\")   // true"
        ) { text, _, prefix in text.hasPrefix(prefix) }
        string.method(
            "hasSuffix", Arg<String>(nil, "suffix"), doc: "Whether the string ends with `suffix`.",
            example: "\"weights.safetensors\".hasSuffix(\".safetensors\")   // true"
        ) { text, _, suffix in text.hasSuffix(suffix) }
        string.method(
            "contains", Arg<String>(nil, "other"), doc: "Whether `other` occurs in the string.",
            example: "\"learning rate\".contains(\"rate\")   // true"
        ) { text, _, other in other.isEmpty || text.contains(other) }
        string.method(
            "split", Arg<String>("separator", bound: .nonEmpty),
            doc: "The pieces between occurrences of `separator` (empty pieces are dropped, as in Swift).",
            example: "\"a,b,,c\".split(separator: \",\")   // [\"a\", \"b\", \"c\"]"
        ) { text, _, separator in text.components(separatedBy: separator).filter { !$0.isEmpty } }
        string.method(
            "components", Arg<String>("separatedBy", "separator", bound: .nonEmpty),
            doc: "The pieces between occurrences of the separator, keeping empty pieces.",
            example: "\"a,b,,c\".components(separatedBy: \",\")   // [\"a\", \"b\", \"\", \"c\"]"
        ) { text, _, separator in text.components(separatedBy: separator) }
        string.method(
            "replacingOccurrences", Arg<String>("of"), Arg<String>("with"),
            doc: "The string with every occurrence of `of` replaced by `with`.",
            example: "\"a-b-c\".replacingOccurrences(of: \"-\", with: \"+\")   // \"a+b+c\""
        ) { text, _, target, replacement in
            target.isEmpty ? text : text.replacingOccurrences(of: target, with: replacement)
        }
        string.method(
            "trimmingCharacters", Arg("in", "set", choices: characterSets),
            doc: "The string without leading and trailing `.whitespaces` or `.whitespacesAndNewlines`.",
            example: "\"  hi \\n\".trimmingCharacters(in: .whitespacesAndNewlines)   // \"hi\""
        ) { text, _, set in text.trimmingCharacters(in: set) }
        registry.register(characterSets)
        string.method(
            "prefix", Arg<Int>(nil, "maxLength", bound: .atLeast(0)), doc: "The first `maxLength` characters.",
            example: "\"tensor\".prefix(3)   // \"ten\""
        ) { text, _, length in String(text.prefix(length)) }
        string.method(
            "suffix", Arg<Int>(nil, "maxLength", bound: .atLeast(0)), doc: "The last `maxLength` characters.",
            example: "\"tensor\".suffix(3)   // \"sor\""
        ) { text, _, length in String(text.suffix(length)) }
        string.method(
            "dropFirst", Arg(nil, "k", default: 1, bound: .atLeast(0)), doc: "All but the first `k` characters.",
            example: "\"#tag\".dropFirst()   // \"tag\""
        ) { text, _, k in String(text.dropFirst(k)) }
        string.method(
            "dropLast", Arg(nil, "k", default: 1, bound: .atLeast(0)), doc: "All but the last `k` characters.",
            example: "\"line\\n\".dropLast()   // \"line\""
        ) { text, _, k in String(text.dropLast(k)) }
        string.method(
            "reversed", doc: "The characters in reverse order.", example: "\"abc\".reversed()   // \"cba\""
        ) { text, _ in String(text.reversed()) }
        string.method(
            "firstIndex", Arg<String>("of", "element"),
            doc: "The character offset of the first occurrence of a character, or nil.",
            example: "\"a=b\".firstIndex(of: \"=\")   // 1"
        ) { text, _, target in Array(text).firstIndex { String($0) == target } }
        string.method(
            "map", Arg<FunctionValue>(nil, "transform", type: "(String) -> T"), returns: "[T]",
            doc: "Maps each character (as a String).",
            example: "\"abc\".map { $0.uppercased() }   // [\"A\", \"B\", \"C\"]"
        ) { text, context, transform in
            let call = context.prepare(transform.value)
            return try text.map { try call(.string(String($0))) }
        }
        string.method(
            "filter", Arg<FunctionValue>(nil, "isIncluded", type: "(String) -> Bool"),
            doc: "The characters for which `isIncluded` is true.",
            example: "\"a1b2\".filter { Int($0) == nil }   // \"ab\""
        ) { text, context, isIncluded in
            let call = context.prepare(isIncluded.value)
            return try text.filter { try requireBool(call(.string(String($0))), "filter", parameter: "isIncluded") }
        }
        string.method(
            "sorted", doc: "The characters in ascending order.", example: "\"cab\".sorted()   // [\"a\", \"b\", \"c\"]"
        ) { text, _ in text.sorted().map { String($0) } }
        string.method(
            "starts", Arg<String>("with", "prefix"), doc: "Whether the string starts with `with`.",
            example: "\"epoch 3\".starts(with: \"epoch\")   // true"
        ) { text, _, prefix in text.hasPrefix(prefix) }
    }
}
