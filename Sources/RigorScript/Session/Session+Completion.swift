/// What `is_complete_request` answers.
public enum Completeness: Equatable, Sendable {
    case complete
    /// More lines are needed; `indent` is what the next line should start with.
    case incomplete(indent: String)
    case invalid
}

/// Completion candidates for the text before a cursor.
public struct CompletionResult: Equatable, Sendable {
    public var matches: [String]
    /// The replaced range, in Unicode scalar offsets (Jupyter's code points).
    public var cursorStart: Int
    public var cursorEnd: Int
}

extension Session {
    // MARK: - Is complete

    /// Whether a cell is ready to run, needs more lines (an open bracket, string or comment), or
    /// cannot be fixed by adding lines.
    public func completeness(of code: String) -> Completeness {
        var lexer = Lexer(code, source: SourceName("<is_complete>"))
        let tokens = lexer.tokenize()
        if lexer.endedInsideLiteral { return .incomplete(indent: "") }
        var depth = 0
        for token in tokens {
            switch token.kind {
            case .leftBrace, .leftParen, .leftBracket: depth += 1
            case .rightBrace, .rightParen, .rightBracket: depth -= 1
            default: break
            }
            if depth < 0 { return .invalid }
        }
        if depth > 0 { return .incomplete(indent: String(repeating: " ", count: 4 * depth)) }
        if !lexer.diagnostics.isEmpty { return .invalid }
        var parser = Parser(tokens: tokens, source: SourceName("<is_complete>"))
        _ = parser.parseCell()
        if let last = tokens.dropLast().last, last.kind != .rightBrace, !last.canEndExpression,
            parser.diagnostics.contains(where: { $0.span.start == tokens.last!.span.start })
        {
            // `let x = 1 +` or `foo(a,`: a line that ends mid-expression continues.
            return .incomplete(indent: "")
        }
        return parser.diagnostics.isEmpty ? .complete : .invalid
    }

    // MARK: - Completion

    /// Completion candidates at `cursor` (a Unicode scalar offset into `code`): globals and
    /// builtins, members after `.`, argument labels inside a call, implicit members after a bare `.`.
    public func completions(in code: String, cursor: Int) -> CompletionResult {
        _ = loadPendingBuiltins()
        let scalars = Array(code.unicodeScalars)
        let end = max(0, min(cursor, scalars.count))
        var start = end
        while start > 0, scalars[start - 1].isIdentifierContinue { start -= 1 }
        let prefix = String(String.UnicodeScalarView(scalars[start..<end]))
        var candidates: [String] = []
        if start > 0, scalars[start - 1] == "." {
            let receiver = receiverText(scalars, before: start - 1)
            if receiver.isEmpty {
                candidates = Array(registry.implicitMembers.keys)
            } else {
                candidates = memberNames(ofExpression: receiver)
            }
            return CompletionResult(matches: filter(candidates, prefix), cursorStart: start, cursorEnd: end)
        }
        if let callee = enclosingCallee(scalars, before: start) {
            candidates.append(contentsOf: argumentLabels(of: callee).map { "\($0):" })
        }
        let labels = filter(candidates, prefix)
        var names = Set(globals.definedNames)
        names.formUnion(Token.keywords.keys)
        names.formUnion(declaredNames(in: code))
        return CompletionResult(
            matches: labels + filter(Array(names), prefix).filter { !labels.contains($0 + ":") }, cursorStart: start,
            cursorEnd: end)
    }

    private func filter(_ candidates: [String], _ prefix: String) -> [String] {
        Array(Set(candidates.filter { $0.hasPrefix(prefix) && !$0.hasPrefix("$") })).sorted()
    }

    /// The names a cell being typed declares itself (`let`, `var`, `func`, parameters, loop variables).
    private func declaredNames(in code: String) -> [String] {
        var lexer = Lexer(code, source: SourceName("<complete>"))
        let tokens = lexer.tokenize()
        var names: [String] = []
        for (index, token) in tokens.enumerated() where token.kind == .identifier {
            let previous = index > 0 ? tokens[index - 1].kind : .endOfFile
            let next = index + 1 < tokens.count ? tokens[index + 1].kind : .endOfFile
            if [.kwLet, .kwVar, .kwFunc, .kwFor].contains(previous) || next == .kwIn || next == .colon {
                names.append(token.lexeme)
            }
        }
        return names
    }

    /// The dotted chain of names before a `.` (`model.layers` in `model.layers.`), or "" for a bare dot.
    private func receiverText(_ scalars: [Unicode.Scalar], before dot: Int) -> String {
        var start = dot
        var depth = 0
        while start > 0 {
            let c = scalars[start - 1]
            if c == ")" || c == "]" {
                depth += 1
            } else if c == "(" || c == "[" {
                if depth == 0 { break }
                depth -= 1
            } else if depth == 0 && !(c.isIdentifierContinue || c == "." || c == "\"") {
                break
            }
            start -= 1
        }
        return String(String.UnicodeScalarView(scalars[start..<dot]))
    }

    /// Member names of the value an expression denotes, without running anything with effects:
    /// only globals, literals, and property chains are followed.
    func memberNames(ofExpression text: String) -> [String] {
        guard let value = staticValue(of: text) else { return [] }
        if case .type(let descriptor) = value { return descriptor.staticMemberNames }
        return registry.descriptor(for: value)?.memberNames ?? []
    }

    /// The value of a name chain (`data.train`) or a literal, if it can be known without effects.
    func staticValue(of text: String) -> Value? {
        if text.hasPrefix("\"") { return .string("") }
        if text.hasSuffix("]") && text.hasPrefix("[") { return .array([]) }
        if Int(text) != nil { return .int(0) }
        if Double(text) != nil { return .double(0) }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard let head = parts.first, let cell = globals.cells[head], cell.isDefined else { return nil }
        var value = cell.value
        for name in parts.dropFirst() {
            guard !name.isEmpty, !name.contains("("), !name.contains("[") else { return nil }
            if case .type(let descriptor) = value, let property = descriptor.staticProperties[name] {
                guard let next = try? property.get(value, context) else { return nil }
                value = next
                continue
            }
            guard let property = registry.descriptor(for: value)?.properties[name],
                let next = try? property.get(value, context)
            else { return nil }
            value = next
        }
        return value
    }

    /// The function being called at the cursor: the name before the innermost unclosed `(`.
    private func enclosingCallee(_ scalars: [Unicode.Scalar], before position: Int) -> String? {
        var depth = 0
        var index = position
        while index > 0 {
            index -= 1
            let c = scalars[index]
            if c == ")" || c == "]" || c == "}" {
                depth += 1
            } else if c == "[" || c == "{" {
                if depth == 0 { return nil }
                depth -= 1
            } else if c == "(" {
                if depth == 0 {
                    var start = index
                    while start > 0, scalars[start - 1].isIdentifierContinue || scalars[start - 1] == "." { start -= 1 }
                    let name = String(String.UnicodeScalarView(scalars[start..<index]))
                    return name.isEmpty ? nil : name
                }
                depth -= 1
            } else if c == "\n" && depth == 0 {
                continue
            }
        }
        return nil
    }

    /// The argument labels a callee (`fit`, `model.fit`, `Tensor.zeros`) accepts.
    private func argumentLabels(of callee: String) -> [String] {
        signatures(of: callee).flatMap { $0.parameters.compactMap(\.label) }
    }

    // MARK: - Inspection

    /// Every signature a callee expression may refer to, overloads included.
    func signatures(of callee: String) -> [Signature] {
        var parts = callee.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard let name = parts.popLast() else { return [] }
        if parts.isEmpty {
            guard let cell = globals.cells[name], cell.isDefined else { return [] }
            switch cell.value {
            case .function(let builtin as BuiltinFunction):
                return [builtin.signature] + builtin.overloads.map(\.signature)
            case .function(let script as ScriptFunction): return [Session.signature(of: script.declaration)]
            case .type(let descriptor):
                guard let initializer = descriptor.initializer else { return [] }
                return [initializer.signature] + initializer.overloads.map(\.signature)
            default: return []
            }
        }
        guard let receiver = staticValue(of: parts.joined(separator: ".")) else { return [] }
        if case .type(let descriptor) = receiver, let function = descriptor.staticMethods[name] {
            return [function.signature] + function.overloads.map(\.signature)
        }
        if let method = registry.descriptor(for: receiver)?.methods[name] {
            return [method.signature] + method.overloads.map(\.signature)
        }
        return []
    }

    /// A user function's signature, for inspection and label completion.
    static func signature(of declaration: FunctionDecl) -> Signature {
        Signature(
            declaration.name,
            declaration.parameters.map {
                Signature.Parameter(
                    $0.label, $0.name, type: $0.type?.description ?? "Any",
                    defaultText: $0.defaultValue == nil ? nil : "…")
            },
            returns: declaration.returnType?.description, doc: declaration.documentation ?? "")
    }

    /// Help for the name at `cursor`: a builtin's signature, documentation and example; a user
    /// function's declaration and doc comment; a variable's type and value. Nil when nothing is known.
    public func inspection(in code: String, cursor: Int) -> String? {
        _ = loadPendingBuiltins()
        let scalars = Array(code.unicodeScalars)
        var end = max(0, min(cursor, scalars.count))
        while end < scalars.count, scalars[end].isIdentifierContinue { end += 1 }
        var start = min(end, max(0, min(cursor, scalars.count)))
        while start > 0, scalars[start - 1].isIdentifierContinue { start -= 1 }
        if start == end, start > 0, scalars[start - 1] == "(" {
            // Right after `fit(`: inspect the callee.
            end = start - 1
            start = end
            while start > 0, scalars[start - 1].isIdentifierContinue { start -= 1 }
        }
        guard start < end else { return nil }
        let name = String(String.UnicodeScalarView(scalars[start..<end]))
        if start > 0, scalars[start - 1] == "." {
            let receiverText = receiverText(scalars, before: start - 1)
            guard let receiver = staticValue(of: receiverText) else { return nil }
            return memberHelp(receiver, name)
        }
        guard let cell = globals.cells[name], cell.isDefined else {
            if let doc = registry.implicitMembers[name] { return ".\(name)\n\n\(doc)" }
            return nil
        }
        switch cell.value {
        case .function(let builtin as BuiltinFunction):
            return ([builtin] + builtin.overloads).map { $0.signature.helpText() }.joined(separator: "\n\n")
        case .function(let script as ScriptFunction):
            return userFunctionHelp(script.declaration)
        case .type(let descriptor):
            return typeHelp(descriptor)
        case let value:
            var text = "\(cell.isConstant ? "let" : "var") \(name): \(value.typeName)"
            let preview = value.debugDescription
            text += " = " + (preview.count > 500 ? String(preview.prefix(500)) + "…" : preview)
            return text
        }
    }

    private func memberHelp(_ receiver: Value, _ name: String) -> String? {
        if case .type(let descriptor) = receiver {
            if let function = descriptor.staticMethods[name] {
                return ([function] + function.overloads).map {
                    $0.signature.helpText(prefix: "static func \(descriptor.name).")
                }.joined(separator: "\n\n")
            }
            if let property = descriptor.staticProperties[name] {
                return "static var \(descriptor.name).\(name): \(property.type)\n\n\(property.documentation)"
            }
            return nil
        }
        guard let descriptor = registry.descriptor(for: receiver) else { return nil }
        if let method = descriptor.methods[name] {
            return ([method] + method.overloads).map {
                $0.signature.helpText(prefix: "\($0.isMutating ? "mutating " : "")func \(descriptor.name).")
            }.joined(separator: "\n\n")
        }
        if let property = descriptor.properties[name] {
            return "var \(descriptor.name).\(name): \(property.type)\n\n\(property.documentation)"
        }
        return nil
    }

    private func typeHelp(_ descriptor: TypeDescriptor) -> String {
        var text = "type \(descriptor.name)\n\n\(descriptor.documentation)"
        if let initializer = descriptor.initializer {
            text +=
                "\n\n"
                + ([initializer] + initializer.overloads).map { $0.signature.declaration(prefix: "init ") }
                .joined(separator: "\n")
        }
        let statics = descriptor.staticMemberNames.sorted()
        if !statics.isEmpty { text += "\n\nStatic members: " + statics.joined(separator: ", ") }
        let members = descriptor.memberNames.sorted()
        if !members.isEmpty { text += "\n\nMembers: " + members.joined(separator: ", ") }
        return text
    }

    private func userFunctionHelp(_ declaration: FunctionDecl) -> String {
        var lines: [String] = []
        if let source = sources[declaration.span.source] {
            let sourceLines = source.split(separator: "\n", omittingEmptySubsequences: false)
            let line = declaration.span.start.line - 1
            var docs: [String] = []
            var index = line - 1
            while index >= 0, sourceLines[index].trimmingPrefixWhitespace.hasPrefix("///") {
                docs.insert(
                    String(sourceLines[index].trimmingPrefixWhitespace.dropFirst(3)).trimmingPrefixWhitespace, at: 0)
                index -= 1
            }
            if line < sourceLines.count {
                var header = String(sourceLines[line]).trimmingPrefixWhitespace
                if let brace = header.firstIndex(of: "{") { header = String(header[..<brace]) }
                lines.append(header.trimmingSuffixWhitespace)
            }
            if !docs.isEmpty { lines.append("\n" + docs.joined(separator: "\n")) }
            lines.append("\nDeclared in \(declaration.span.source.displayName) at line \(declaration.span.start.line).")
        } else {
            lines.append(Session.signature(of: declaration).declaration())
        }
        return lines.joined(separator: "\n")
    }
}

extension StringProtocol {
    var trimmingPrefixWhitespace: String { String(drop { $0 == " " || $0 == "\t" }) }
    var trimmingSuffixWhitespace: String {
        var s = String(self)
        while let last = s.last, last == " " || last == "\t" { s.removeLast() }
        return s
    }
}
