/// A family of dot-shorthand choices as data: `.adam(learningRate: 1e-3)`, `.sgd(momentum: 0.9)`, `.crossEntropy`.
///
/// Each choice is a name, its parameters (`Arg`s, checked by the same decoder as a builtin's) and a constructor;
/// a parameter takes the table with `Arg(_:_:choices:)`. Unknown names and bad arguments are reported at the
/// argument, with the choices' own declarations as notes.
///
/// A table is immutable once made (its closures only build values), so it may live in a `static let`.
public struct Choices<Result>: @unchecked Sendable {
    public struct Choice: @unchecked Sendable {
        public let name: String
        /// One line for completion and docs.
        public let summary: String
        let parameters: [Signature.Parameter]
        let specs: [ParameterSpec]
        let make: (Arguments, CallContext) throws -> Result

        /// `Choice("sgd", Arg("learningRate", default: 0.01), Arg("momentum", default: 0.0), doc: "…") { … }`.
        public init<each T>(
            _ name: String, _ arguments: repeat Arg<each T>, doc summary: String,
            _ make: @escaping (repeat each T) throws -> Result
        ) {
            let parameters = Parameters(repeat each arguments)
            self.name = name
            self.summary = summary
            self.parameters = parameters.declarations
            self.specs = Signature(name, parameters.declarations, doc: summary).specs
            let decoders = parameters.decoders
            self.make = { arguments, context in
                var index = 0
                return try make(repeat try (each decoders)(arguments, &index, context))
            }
        }

        /// `.sgd(learningRate: Double = 0.01, momentum: Double = 0)`.
        public var declaration: String {
            guard !parameters.isEmpty else { return "." + name }
            return ".\(name)(" + parameters.map(\.declaration).joined(separator: ", ") + ")"
        }
    }

    /// What the choices are, as signatures name it (`Optimizer`).
    public let typeName: String
    /// As messages name it (`optimizer`, `output stream`).
    public let noun: String
    public let choices: [Choice]

    public init(_ typeName: String, noun: String? = nil, _ choices: [Choice]) {
        self.typeName = typeName
        self.noun = noun ?? typeName.lowercased()
        self.choices = choices
    }

    public var names: [String] { choices.map(\.name) }

    /// The choice an implicit member names, built from its arguments; nil when `value` is not an implicit member.
    public func decode(_ value: Value, context: CallContext) throws -> Result? {
        guard case .implicitMember(let member) = value else { return nil }
        guard let choice = choices.first(where: { $0.name == member.name }) else {
            let listed = names.map { "." + $0 }
            let list =
                listed.count > 1 ? listed.dropLast().joined(separator: ", ") + " or " + listed.last! : listed.joined()
            var notes = ["use \(list)"]
            if let suggestion = Suggestions.closest(to: member.name, in: names) {
                notes.insert("did you mean '.\(suggestion)'?", at: 0)
            }
            throw BuiltinError(.value, "unknown \(noun) '.\(member.name)'", notes: notes)
        }
        let given = member.arguments ?? []
        let labels = given.map(\.label)
        let nowhere = SourceSpan(
            source: SourceName(""), start: SourcePosition(line: 0, column: 0), end: SourcePosition(line: 0, column: 0))
        let sources: [ArgumentSource]
        do {
            sources = try ArgumentMatcher.match(
                CallShape(
                    labels: labels, spans: Array(repeating: nowhere, count: labels.count), hasTrailingClosure: false,
                    closingSpan: nowhere),
                to: choice.specs, callee: "." + choice.name)
        } catch let error as ScriptError {
            let place = "in .\(choice.name)(…)"
            let message =
                choice.parameters.isEmpty
                ? "'.\(choice.name)' takes no arguments"
                : error.message.contains(" in call")
                    ? error.message.replacingOccurrences(of: " in call", with: " " + place)
                    : "\(error.message) \(place)"
            let notes = error.diagnostics[0].notes.map(\.message).filter { !$0.contains("is declared as") }
            throw BuiltinError(error.kind, message, notes: notes + ["declared as \(choice.declaration)"])
        }
        do {
            return try choice.make(ArgumentMatcher.arrange(sources, choice.parameters) { given[$0].value }, context)
        } catch var error as BuiltinError {
            // The choice's own argument positions mean nothing at the call: the whole argument is to blame.
            if error.argument != nil {
                error.message += " in .\(choice.name)(…)"
                error.argument = nil
            }
            throw error
        }
    }
}

extension Arg {
    /// A parameter whose value is one of `choices` (`optimizer: .adam(learningRate: 1e-3)`); `also` decodes any
    /// other value it accepts (an optimizer object).
    public init(
        _ label: String?, _ name: String? = nil, choices: Choices<T>, defaultValue: Value? = nil, text: String? = nil,
        also: ((Value, CallContext) throws -> T?)? = nil
    ) {
        self.init(
            label, name, type: choices.typeName, defaultValue: defaultValue, text: text,
            decode: { value, context in
                if let decoded = try choices.decode(value, context: context) { return decoded }
                return try also?(value, context)
            })
    }
}
