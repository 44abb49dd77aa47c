extension BuiltinRegistry {
    /// The Markdown reference of every builtin (docs/builtins.md), generated from the same
    /// signatures that check arguments and drive completion and inspection.
    public func markdownReference() -> String {
        var lines = [
            "# Builtins",
            "",
            "Generated from the builtins' `Signature`s (the same text `inspect_request` shows); do not edit by hand.",
            "Regenerate with `RIGOR_DOCS_RECORD=1 swift test --filter BuiltinReferenceTests`.",
            "",
        ]
        for family in families {
            guard !family.functions.isEmpty || !family.types.isEmpty else { continue }
            lines.append("## \(family.name)")
            lines.append("")
            for name in family.functions {
                guard let function = functions[name] else { continue }
                for overload in [function] + function.overloads {
                    lines.append(contentsOf: entry(overload.signature, prefix: "func "))
                }
            }
            for name in family.types {
                guard let type = types[name] else { continue }
                lines.append(contentsOf: typeEntry(type))
            }
        }
        let implicit = implicitMembers.keys.sorted()
        if !implicit.isEmpty {
            lines.append("## Implicit members")
            lines.append("")
            for name in implicit { lines.append("- `.\(name)`: \(implicitMembers[name]!)") }
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }

    private func entry(_ signature: Signature, prefix: String) -> [String] {
        var lines = ["#### `\(signature.declaration(prefix: prefix))`", "", signature.documentation, ""]
        let bounded = signature.parameters.compactMap { parameter in
            parameter.bounds.map { "`\(parameter.name)` \($0)" }
        }
        if !bounded.isEmpty { lines.append(contentsOf: ["Accepts " + bounded.joined(separator: ", ") + ".", ""]) }
        if let example = signature.example {
            lines.append(contentsOf: ["```swift", example, "```", ""])
        }
        return lines
    }

    private func typeEntry(_ type: TypeDescriptor) -> [String] {
        var lines = ["### \(type.name)", "", type.documentation, ""]
        if let initializer = type.initializer {
            for overload in [initializer] + initializer.overloads {
                lines.append(contentsOf: entry(overload.signature, prefix: "init "))
            }
        }
        for name in type.staticProperties.keys.sorted() {
            let property = type.staticProperties[name]!
            lines.append("- `static var \(type.name).\(name): \(property.type)`: \(property.documentation)")
        }
        for name in type.properties.keys.sorted() {
            let property = type.properties[name]!
            lines.append("- `var \(name): \(property.type)`: \(property.documentation)")
        }
        if !type.staticProperties.isEmpty || !type.properties.isEmpty { lines.append("") }
        for name in type.staticMethods.keys.sorted() {
            let function = type.staticMethods[name]!
            for overload in [function] + function.overloads {
                lines.append(contentsOf: entry(overload.signature, prefix: "static func \(type.name)."))
            }
        }
        for name in type.methods.keys.sorted() {
            let method = type.methods[name]!
            for overload in [method] + method.overloads {
                lines.append(
                    contentsOf: entry(overload.signature, prefix: (overload.isMutating ? "mutating " : "") + "func "))
            }
        }
        return lines
    }
}
