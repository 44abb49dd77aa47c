/// Signature: the one declaration of a builtin that drives argument checking, completion,
/// inspection and the generated `docs/builtins.md`.
public struct Signature: Sendable {
    public struct Parameter: Sendable {
        /// The argument label, or nil for `_`.
        public var label: String?
        public var name: String
        /// The type as documentation shows it (`Int`, `[Double]`, `(Value) -> Bool`).
        public var type: String
        /// The default, if the argument may be left out.
        public var defaultValue: Value?
        /// How the default reads in docs (`" "`, `nil`, `0.001`).
        public var defaultText: String?
        public var isVariadic: Bool
        /// Whether the parameter collects every labelled argument at its place whose label is not another
        /// parameter's (`interact(rate: …, width: …)`): `Arg.labelled`.
        public var collectsLabels: Bool
        /// Whether a trailing closure may fill this parameter.
        public var acceptsClosure: Bool
        /// The values accepted beyond the type (`≥ 1`), checked by the decoder; shown in docs.
        public var bounds: String?

        public init(
            _ label: String?, _ name: String? = nil, type: String = "Any", default defaultValue: Value? = nil,
            defaultText: String? = nil, variadic: Bool = false, closure: Bool = false, collectsLabels: Bool = false
        ) {
            self.label = label
            self.name = name ?? label ?? "value"
            self.type = type
            self.defaultValue = defaultValue
            self.defaultText = defaultText ?? defaultValue.map { $0.debugDescription }
            self.isVariadic = variadic
            self.collectsLabels = collectsLabels
            self.acceptsClosure = closure || type.hasPrefix("(")
        }

        var hasDefault: Bool { defaultValue != nil }

        var declaration: String {
            // No Swift spelling exists for it: `<label>: Any...`, one labelled argument per name.
            if collectsLabels { return "<label>: \(type)..." }
            var text: String
            if let label {
                text = label == name ? label : "\(label) \(name)"
            } else {
                text = "_ \(name)"
            }
            text += ": \(type)"
            if isVariadic { text += "..." }
            if let defaultText, !defaultText.isEmpty { text += " = \(defaultText)" }
            return text
        }
    }

    /// The name as called: `print`, `append`, `zeros`.
    public var name: String
    public var parameters: [Parameter]
    public var returnType: String? {
        get { returnTypeText ?? deferredReturnType?() }
        set {
            returnTypeText = newValue
            deferredReturnType = nil
        }
    }
    private var returnTypeText: String?
    /// The return type named only when something asks (docs, inspection, completion): naming a body's
    /// Swift type as a script type is a runtime conformance lookup, which on first use scans every
    /// conformance record of the binary (start-up paid ~18 M instructions for it, half of the library's
    /// registration).
    private var deferredReturnType: (@Sendable () -> String?)?
    /// One-sentence summary first, then details.
    public var documentation: String
    /// A short example, shown by inspection and in docs/builtins.md.
    public var example: String?

    public init(
        _ name: String, _ parameters: [Parameter] = [], returns returnType: String? = nil,
        doc documentation: String, example: String? = nil
    ) {
        self.name = name
        self.parameters = parameters
        self.returnTypeText = returnType
        self.documentation = documentation
        self.example = example
    }

    /// A signature whose return type, unless given, is named by `deferredReturnType` when first asked for.
    init(
        _ name: String, _ parameters: [Parameter], returns returnType: String?,
        deferredReturnType: @escaping @Sendable () -> String?, doc documentation: String, example: String?
    ) {
        self.init(name, parameters, returns: returnType, doc: documentation, example: example)
        if returnType == nil { self.deferredReturnType = deferredReturnType }
    }

    /// `func print(_ items: Any..., separator: String = " ", terminator: String = "\n")`.
    public func declaration(prefix: String = "func ") -> String {
        var text = "\(prefix)\(name)(" + parameters.map(\.declaration).joined(separator: ", ") + ")"
        if let returnType, returnType != "Void" { text += " -> \(returnType)" }
        return text
    }

    /// Swift's compact name with labels: `remove(at:)`, `print(_:separator:terminator:)`.
    public var compactName: String {
        // Appended one by one: `joined()` is called unspecialized here, and its associated-type lookup was a
        // runtime conformance scan (~0.45 M instructions) on the first builtin call of every process.
        var text = name + "("
        for parameter in parameters {
            if parameter.collectsLabels {
                text += "<label>:..."
            } else {
                text += parameter.label ?? "_"
                text += ":"
            }
        }
        return text + ")"
    }

    /// Declaration, documentation and example, as inspection shows them.
    public func helpText(prefix: String = "func ") -> String {
        var text = declaration(prefix: prefix) + "\n\n" + documentation
        if let example {
            text +=
                "\n\nExample:\n"
                + example.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(
                    separator: "\n")
        }
        return text
    }
}
