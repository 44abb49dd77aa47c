extension Prelude {
    static func registerOutput(in registry: BuiltinRegistry) {
        registry.beginFamily("Input and output")
        registry.register(
            Signature(
                "print",
                [
                    .init(nil, "items", type: "Any", default: .array([]), defaultText: "", variadic: true),
                    .init("separator", type: "String", default: .string(" ")),
                    .init("terminator", type: "String", default: .string("\n")),
                    .init(
                        "to", "stream", type: "OutputStream",
                        default: .implicitMember(ImplicitMember(name: "standardOutput"))),
                ],
                doc: "Writes the items' descriptions, separated by `separator` and followed by `terminator`, to "
                    + "standard output (or `to: .standardError`).",
                example: "print(\"loss\", 0.25, separator: \": \")   // loss: 0.25")
        ) { arguments, context in
            let items = try arguments.array(0)
            let text = items.map(\.description).joined(separator: try arguments.string(1)) + (try arguments.string(2))
            context.write(text, to: try stream(arguments, 3))
            return .nil
        }
        registry.registerImplicitMember("standardOutput", doc: "print(…, to: .standardOutput): the notebook output")
        registry.registerImplicitMember("standardError", doc: "print(…, to: .standardError): the error stream")
        registry.register(
            Signature(
                "eprint",
                [
                    .init(nil, "items", type: "Any", default: .array([]), defaultText: "", variadic: true),
                    .init("separator", type: "String", default: .string(" ")),
                    .init("terminator", type: "String", default: .string("\n")),
                ],
                doc: "Like `print`, to standard error.", example: "eprint(\"warning: no validation split\")")
        ) { arguments, context in
            let items = try arguments.array(0)
            let text = items.map(\.description).joined(separator: try arguments.string(1)) + (try arguments.string(2))
            context.write(text, to: .standardError)
            return .nil
        }
        registry.function(
            "readLine", [.init("prompt", type: "String", default: .string(""))], returns: "String?",
            doc: "Shows `prompt` and reads one line of input; nil when there is no input.",
            example: "let name = readLine(prompt: \"Your name: \") ?? \"anonymous\""
        ) { arguments, context in
            context.readLine(prompt: try arguments.string(0)).map(Value.string) ?? .nil
        }
        registry.function(
            "type", [.init("of", "value")], returns: "Type", doc: "The type of a value.",
            example: "type(of: 1.5)   // Double"
        ) { arguments, context in
            let value = arguments[0]
            if let descriptor = context.registry.descriptor(for: value), !(value.typeName.hasSuffix(".Type")) {
                if case .object = value { return .string(value.typeName) }
                return .type(descriptor)
            }
            return .string(value.typeName)
        }
        registry.function(
            "assert", [.positional("condition", "Bool"), .init(nil, "message", type: "String", default: .string(""))],
            doc: "Stops the cell with an error when `condition` is false.",
            example: "assert(accuracy > 0.9, \"the model underfits\")"
        ) { arguments, _ in
            if try !arguments.bool(0) {
                let message = try arguments.string(1)
                throw BuiltinError(.runtime, message.isEmpty ? "assertion failed" : "assertion failed: \(message)")
            }
            return .nil
        }
        registry.function(
            "fatalError", [.init(nil, "message", type: "String", default: .string(""))],
            doc: "Stops the cell with an error carrying `message`.",
            example: "fatalError(\"unreachable\")"
        ) { arguments, _ in
            let message = try arguments.string(0)
            throw BuiltinError(.runtime, message.isEmpty ? "fatal error" : "fatal error: \(message)")
        }
    }

    static func stream(_ arguments: Arguments, _ index: Int) throws -> OutputStreamKind {
        let member = try arguments.implicitMember(index, expected: "OutputStream")
        switch member.name {
        case "standardOutput": return .standardOutput
        case "standardError": return .standardError
        default:
            throw BuiltinError(
                .value, "unknown output stream '.\(member.name)'", argument: index,
                notes: ["use .standardOutput or .standardError"])
        }
    }
}
