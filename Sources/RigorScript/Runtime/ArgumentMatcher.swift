/// ArgumentMatcher: Swift's rules for matching call arguments to parameters by label, with
/// defaults, a variadic parameter and trailing closures, and swiftc's messages when they fail.
import OrderedCollections

enum ArgumentSource {
    case argument(Int)
    case defaultValue
    case variadic([Int])
    /// A parameter that collects labelled arguments (`Arg.labelled`): each one's label and written position.
    case labelled([(label: String, index: Int)])
}

struct CallShape {
    var labels: [String?]
    var spans: [SourceSpan]
    var hasTrailingClosure: Bool
    /// Where "missing argument" errors point: the closing parenthesis.
    var closingSpan: SourceSpan
}

enum ArgumentMatcher {
    /// One value per parameter, in declaration order, from matched `sources`: the argument itself, the parameter's
    /// default, or a variadic parameter's arguments as an array. `argument(i)` is the i-th written argument.
    static func arrange(
        _ sources: [ArgumentSource], _ parameters: [Signature.Parameter], argument: (Int) -> Value
    ) -> Arguments {
        var values: [Value] = []
        values.reserveCapacity(sources.count)
        for (index, source) in sources.enumerated() {
            switch source {
            case .argument(let i): values.append(argument(i))
            case .defaultValue: values.append(parameters[index].defaultValue ?? .nil)
            case .variadic(let indices): values.append(.array(indices.map(argument)))
            case .labelled(let taken):
                var collected = OrderedDictionary<Value, Value>()
                for (label, index) in taken { collected[.string(label)] = argument(index) }
                values.append(.dictionary(collected))
            }
        }
        return Arguments(values: values)
    }

    static func match(_ shape: CallShape, to parameters: [ParameterSpec], callee: String) throws -> [ArgumentSource] {
        var labels = shape.labels
        if shape.hasTrailingClosure, !labels.isEmpty, !parameters.isEmpty {
            // A trailing closure fills the last parameter that takes a closure, whatever its label.
            let target = parameters.lastIndex { $0.acceptsClosure } ?? (parameters.count - 1)
            labels[labels.count - 1] = parameters[target].label
        }
        var sources: [ArgumentSource] = []
        sources.reserveCapacity(parameters.count)
        var next = 0
        for (index, parameter) in parameters.enumerated() {
            if parameter.collectsLabels {
                // Every labelled argument from here whose label is not another parameter's, in the order written.
                var taken: [(label: String, index: Int)] = []
                while next < labels.count, let label = labels[next], !parameters.contains(where: { $0.label == label })
                {
                    if taken.contains(where: { $0.label == label }) {
                        throw ScriptError(
                            .type, "duplicate argument label '\(label):' in call", at: shape.spans[next],
                            notes: [Diagnostic.Note("each labelled argument of '\(callee)' names a different value")])
                    }
                    taken.append((label, next))
                    next += 1
                }
                sources.append(.labelled(taken))
                continue
            }
            if parameter.isVariadic {
                var taken: [Int] = []
                if next < labels.count, labels[next] == parameter.label {
                    taken.append(next)
                    next += 1
                    while next < labels.count, labels[next] == nil {
                        taken.append(next)
                        next += 1
                    }
                }
                sources.append(.variadic(taken))
                continue
            }
            if next < labels.count, labels[next] == parameter.label {
                sources.append(.argument(next))
                next += 1
                continue
            }
            if parameter.hasDefault {
                // Skip a defaulted parameter only if the argument belongs to a later one.
                sources.append(.defaultValue)
                continue
            }
            guard next < labels.count else {
                let name = parameter.label.map { "'\($0)'" } ?? "#\(index + 1)"
                throw ScriptError(
                    .type, "missing argument for parameter \(name) in call", at: shape.closingSpan,
                    notes: [Diagnostic.Note("'\(callee)' is declared as \(describe(parameters, callee: callee))")])
            }
            let have = labels[next]
            let span = shape.spans[next]
            if let have { try refuseLabelledOutOfOrder(have, at: span, parameters, callee: callee) }
            if have == nil, let expected = parameter.label {
                throw ScriptError(
                    .type, "missing argument label '\(expected):' in call", at: span,
                    notes: [Diagnostic.Note("insert '\(expected): '")])
            }
            if let have, parameter.label == nil {
                throw ScriptError(
                    .type, "extraneous argument label '\(have):' in call", at: span,
                    notes: [Diagnostic.Note("remove '\(have): '")])
            }
            if let have, let expected = parameter.label {
                if parameters[index...].contains(where: { $0.label == have }) {
                    throw ScriptError(
                        .type, "missing argument for parameter '\(expected)' in call", at: span,
                        notes: [Diagnostic.Note("'\(callee)' is declared as \(describe(parameters, callee: callee))")])
                }
                var notes = [Diagnostic.Note("'\(callee)' is declared as \(describe(parameters, callee: callee))")]
                if let suggestion = Suggestions.closest(to: have, in: parameters.compactMap(\.label)) {
                    notes.insert(Diagnostic.Note("did you mean '\(suggestion):'?"), at: 0)
                }
                throw ScriptError(
                    .type, "incorrect argument label in call (have '\(have):', expected '\(expected):')", at: span,
                    notes: notes)
            }
        }
        if next < labels.count {
            let span = shape.spans[next]
            if let label = labels[next] {
                try refuseLabelledOutOfOrder(label, at: span, parameters, callee: callee)
                if parameters.contains(where: { $0.label == label }) {
                    throw ScriptError(
                        .type, "argument '\(label)' is out of order", at: span,
                        notes: [
                            Diagnostic.Note("'\(callee)' is declared as \(describe(parameters, callee: callee))")
                        ])
                }
                var notes = [Diagnostic.Note("'\(callee)' is declared as \(describe(parameters, callee: callee))")]
                if let suggestion = Suggestions.closest(to: label, in: parameters.compactMap(\.label)) {
                    notes.insert(Diagnostic.Note("did you mean '\(suggestion):'?"), at: 0)
                }
                throw ScriptError(.type, "extra argument '\(label)' in call", at: span, notes: notes)
            }
            throw ScriptError(
                .type,
                parameters.isEmpty ? "argument passed to call that takes no arguments" : "extra argument in call",
                at: span,
                notes: [Diagnostic.Note("'\(callee)' is declared as \(describe(parameters, callee: callee))")])
        }
        return sources
    }

    /// A label no parameter has, written after the labelled arguments a parameter collects (`interact(manual:
    /// true, n: 1...3)`): it belongs with them, before the other labelled parameters.
    private static func refuseLabelledOutOfOrder(
        _ label: String, at span: SourceSpan, _ parameters: [ParameterSpec], callee: String
    ) throws {
        guard let collector = parameters.firstIndex(where: \.collectsLabels),
            !parameters.contains(where: { $0.label == label })
        else { return }
        let after = parameters[(collector + 1)...].compactMap(\.label).map { "'\($0):'" }
        throw ScriptError(
            .type, "argument '\(label)' is out of order", at: span,
            notes: [
                Diagnostic.Note(
                    "'\(callee)' takes its labelled arguments first"
                        + (after.isEmpty ? "" : ", before " + after.joined(separator: ", ")))
            ])
    }

    static func describe(_ parameters: [ParameterSpec], callee: String) -> String {
        let name = callee.split(separator: "(").first.map(String.init) ?? callee
        return "\(name)("
            + parameters.map {
                $0.collectsLabels ? "<label>:..." : ($0.label ?? "_") + ":" + ($0.isVariadic ? "..." : "")
            }.joined() + ")"
    }
}
