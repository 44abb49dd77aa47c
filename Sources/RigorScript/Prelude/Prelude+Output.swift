extension Prelude {
    /// `print(…, to: .standardOutput | .standardError)`.
    static let streams = Choices<OutputStreamKind>(
        "OutputStream", noun: "output stream",
        [
            .init("standardOutput", doc: "print(…, to: .standardOutput): the notebook output") { .standardOutput },
            .init("standardError", doc: "print(…, to: .standardError): the error stream") { .standardError },
        ])

    /// What `print` writes: the items' descriptions between separators, then the terminator. A plain loop:
    /// `[String].joined(separator:)` is generic code whose first use scans every protocol conformance in the
    /// binary for an associated type (~0.5 M instructions, the first `print` of every script).
    static func printed(_ items: [Value], separator: String, terminator: String) -> String {
        var text = ""
        for index in items.indices {
            if index > 0 { text += separator }
            text += items[index].description
        }
        text += terminator
        return text
    }

    static func registerOutput(in registry: BuiltinRegistry) {
        registry.beginFamily("Input and output")
        registry.function(
            "print", Arg<[Value]>.variadic(nil, "items"), Arg("separator", default: " "),
            Arg("terminator", default: "\n"),
            Arg(
                "to", "stream", choices: streams, defaultValue: .implicitMember(ImplicitMember(name: "standardOutput"))),
            doc: "Writes the items' descriptions, separated by `separator` and followed by `terminator`, to "
                + "standard output (or `to: .standardError`).",
            example: "print(\"loss\", 0.25, separator: \": \")   // loss: 0.25"
        ) { context, items, separator, terminator, stream in
            context.write(printed(items, separator: separator, terminator: terminator), to: stream)
        }
        registry.register(streams)
        registry.function(
            "eprint", Arg<[Value]>.variadic(nil, "items"), Arg("separator", default: " "),
            Arg("terminator", default: "\n"), doc: "Like `print`, to standard error.",
            example: "eprint(\"warning: no validation split\")"
        ) { context, items, separator, terminator in
            context.write(printed(items, separator: separator, terminator: terminator), to: .standardError)
        }
        registry.function(
            "readLine", Arg("prompt", default: ""), returns: "String?",
            doc: "Shows `prompt` and reads one line of input; nil when there is no input.",
            example: "let name = readLine(prompt: \"Your name: \") ?? \"anonymous\""
        ) { context, prompt in context.readLine(prompt: prompt) }
        registry.function(
            "type", Arg<Value>("of", "value"), returns: "Type", doc: "The type of a value.",
            example: "type(of: 1.5)   // Double"
        ) { context, value in
            if let descriptor = context.registry.descriptor(for: value), !(value.typeName.hasSuffix(".Type")) {
                if case .object = value { return Value.string(value.typeName) }
                return .type(descriptor)
            }
            return .string(value.typeName)
        }
        registry.function(
            "assert", Arg<Bool>(nil, "condition"), Arg(nil, "message", default: ""),
            doc: "Stops the cell with an error when `condition` is false.",
            example: "assert(accuracy > 0.9, \"the model underfits\")"
        ) { _, condition, message in
            if !condition {
                throw BuiltinError(.runtime, message.isEmpty ? "assertion failed" : "assertion failed: \(message)")
            }
        }
        registry.function(
            "fatalError", Arg(nil, "message", default: ""), doc: "Stops the cell with an error carrying `message`.",
            example: "fatalError(\"unreachable\")"
        ) { _, message in
            throw BuiltinError(.runtime, message.isEmpty ? "fatal error" : "fatal error: \(message)")
        }
    }
}
