/// One parameter of a builtin: its label, name, type, default and bounds, and how its argument decodes.
///
/// `Arg<Int>("epochs", default: 10, bound: .atLeast(1))` is `epochs: Int = 10` in the signature, and the body receives an
/// `Int` that is at least 1. Every argument error — wrong type, out of bounds, a bad element — is thrown here and
/// points at that argument; a body never checks what its signature declared.
public struct Arg<T>: @unchecked Sendable {
    /// The parameter as the signature shows it (labels, type text, default).
    public let parameter: Signature.Parameter
    /// Decodes the argument at the index and moves the index on. A closure made where `T` is concrete, so that the
    /// generic code that calls a body with every argument only calls closures (it stays fast unspecialized).
    let decode: (Arguments, inout Int, CallContext) throws -> T

    /// The general form: a parameter decoded by `decode` (nil: "cannot convert value of type …"); `bounds` is what
    /// the reference says it accepts (`≥ 0`), for a decoder that checks bounds itself.
    public init(
        _ label: String?, _ name: String? = nil, type: String, defaultValue: Value? = nil, text: String? = nil,
        closure: Bool = false, variadic: Bool = false, bounds: String? = nil,
        decode: @escaping (Value, CallContext) throws -> T?
    ) {
        self.init(
            parameter: Signature.Parameter(
                label, name, type: type, default: defaultValue, defaultText: text, variadic: variadic,
                closure: closure),
            decode: decode, check: nil, bounds: bounds)
    }

    init(
        parameter: Signature.Parameter, decode decodeValue: @escaping (Value, CallContext) throws -> T?,
        check: ((T) -> String?)?, bounds: String? = nil
    ) {
        var parameter = parameter
        parameter.bounds = bounds
        self.parameter = parameter
        let name = parameter.name
        let type = parameter.type
        self.decode = { arguments, index, context in
            let position = index
            index += 1
            let value = arguments.values[position]
            let decoded: T?
            do {
                decoded = try decodeValue(value, context)
            } catch var error as BuiltinError {
                if error.argument == nil { error.argument = position }
                throw error
            }
            guard let decoded else {
                throw BuiltinError(
                    .type, "cannot convert value of type '\(value.typeName)' to expected argument type '\(type)'",
                    argument: position)
            }
            if let check, let problem = check(decoded) {
                throw BuiltinError(.value, "'\(name)' \(problem)", argument: position)
            }
            return decoded
        }
    }
}

extension Arg where T: ArgumentType {
    /// A parameter of type `T` without a default: `Arg<Tensor>(nil, "input")` is `_ input: Tensor`.
    public init(_ label: String?, _ name: String? = nil, type: String? = nil, bound: Bound<T>? = nil) {
        self.init(
            parameter: Signature.Parameter(
                label, name, type: type ?? T.scriptTypeName, closure: T.self == FunctionValue.self),
            decode: T.decode, check: bound?.violation, bounds: bound?.description)
    }

    /// A parameter with a default: `Arg("epochs", default: 10, bound: .atLeast(1))` is `epochs: Int = 10`.
    public init(
        _ label: String?, _ name: String? = nil, type: String? = nil, default value: T, text: String? = nil,
        bound: Bound<T>? = nil
    ) where T: ScriptValueConvertible {
        self.init(
            parameter: Signature.Parameter(
                label, name, type: type ?? T.scriptTypeName, default: value.scriptValue, defaultText: text),
            decode: T.decode, check: bound?.violation, bounds: bound?.description)
    }

    /// A parameter of type `T` whose default is a script value `T` decodes (`.adam(learningRate: 1e-3)`).
    public init(_ label: String?, _ name: String? = nil, type: String? = nil, defaultValue: Value, text: String) {
        self.init(
            parameter: Signature.Parameter(
                label, name, type: type ?? T.scriptTypeName, default: defaultValue, defaultText: text),
            decode: T.decode, check: nil)
    }

    /// An optional parameter whose value, when given, has bounds: `Arg<Int?>("stride", default: nil, bound: .atLeast(1))`.
    public init<Wrapped>(
        _ label: String?, _ name: String? = nil, type: String? = nil, default value: T, text: String? = nil,
        bound: Bound<Wrapped>
    ) where T == Wrapped?, Wrapped: ScriptValueConvertible {
        self.init(
            parameter: Signature.Parameter(
                label, name, type: type ?? T.scriptTypeName, default: value.scriptValue, defaultText: text),
            decode: T.decode, check: { $0.flatMap(bound.violation) }, bounds: bound.description)
    }

    /// A variadic parameter: `Arg<[Value]>.variadic(nil, "items")` is `_ items: Any...`, received as an array.
    public static func variadic<Element: ArgumentType>(
        _ label: String?, _ name: String, type: String? = nil
    ) -> Arg<
        [Element]
    > where T == [Element] {
        Arg<[Element]>(
            parameter: Signature.Parameter(
                label, name, type: type ?? (Element.self == Value.self ? "Any" : Element.scriptTypeName),
                default: .array([]), defaultText: "", variadic: true),
            decode: [Element].decode, check: nil)
    }
}

/// One labelled argument that an `Arg.labelled` parameter collected: its label and its value.
public typealias LabelledArgument<Value> = (label: String, value: Value)

extension Arg {
    /// A parameter that collects every labelled argument written at its place whose label is not another
    /// parameter's, in the order written: `interact(rate: .logUniform(1e-4, 1e-1), width: [16, 32]) { … }`.
    /// `Arg<[LabelledArgument<Value>]>.labelled("controls")` shows as `<label>: Any...`; the body receives
    /// `[(label: "rate", value: …), (label: "width", value: …)]`. The labels of the builtin's other parameters
    /// (`manual:`) are theirs, not collected; a label written twice is an error at the second. Each value is decoded
    /// as `Element`, and a wrong one is reported at that argument; a body blames one with
    /// `BuiltinError(…, parameter: label)`.
    public static func labelled<Element: ArgumentType>(
        _ name: String, type: String? = nil
    ) -> Arg<
        [LabelledArgument<Element>]
    > where T == [LabelledArgument<Element>] {
        let typeText = type ?? (Element.self == Value.self ? "Any" : Element.scriptTypeName)
        return Arg<[LabelledArgument<Element>]>(
            parameter: Signature.Parameter(
                nil, name, type: typeText, default: .dictionary([:]), defaultText: "", collectsLabels: true),
            decode: { value, context in
                guard let collected = value.dictionaryEntries else { return nil }
                return try collected.map { key, element in
                    let label = key.stringValue ?? key.debugDescription
                    do {
                        guard let decoded = try Element.decode(element, context: context) else {
                            throw BuiltinError(
                                .type,
                                "cannot convert value of type '\(element.typeName)' to expected argument type "
                                    + "'\(typeText)' for '\(label):'")
                        }
                        return (label: label, value: decoded)
                    } catch var error as BuiltinError {
                        if error.argument == nil, error.labelledArgument == nil { error.labelledArgument = label }
                        throw error
                    }
                }
            }, check: nil)
    }
}

/// The values a parameter accepts beyond its type: `.atLeast(1)`, `.within(0...1)`.
public struct Bound<T> {
    /// How docs show it (`≥ 1`).
    public let description: String
    /// What the error says after the parameter's name (`must be at least 1, not 0`), or nil when `value` is fine.
    public let violation: (T) -> String?

    public init(_ description: String, violation: @escaping (T) -> String?) {
        self.description = description
        self.violation = violation
    }
}

extension Bound where T: Comparable {
    public static func atLeast(_ minimum: T) -> Bound {
        Bound("≥ " + boundText(minimum)) { $0 >= minimum ? nil : "must be at least \(minimum), not \($0)" }
    }
    public static func greaterThan(_ minimum: T) -> Bound {
        Bound("> " + boundText(minimum)) { $0 > minimum ? nil : "must be greater than \(minimum), not \($0)" }
    }
    public static func atMost(_ maximum: T) -> Bound {
        Bound("≤ " + boundText(maximum)) { $0 <= maximum ? nil : "must be at most \(maximum), not \($0)" }
    }
    public static func within(_ range: ClosedRange<T>) -> Bound {
        Bound("in " + boundText(range.lowerBound) + "..." + boundText(range.upperBound)) {
            range.contains($0) ? nil : "must be in \(range.lowerBound)...\(range.upperBound), not \($0)"
        }
    }
    /// `lower <= value < upper`.
    public static func within(_ range: Range<T>) -> Bound {
        Bound("in " + boundText(range.lowerBound) + "..<" + boundText(range.upperBound)) {
            range.contains($0) ? nil : "must be in \(range.lowerBound)..<\(range.upperBound), not \($0)"
        }
    }
}

/// How a bound's limit reads in the docs. Int and Double are converted directly: interpolating a generic value goes
/// through `String(describing:)`'s dynamic casts, whose first use scans every protocol conformance in the binary
/// (~1 M instructions of every `rigor run`'s start-up, where the library's bounds are built).
private func boundText<T>(_ value: T) -> String {
    if let int = value as? Int { return String(int) }
    if let double = value as? Double { return double.description }
    return "\(value)"
}

extension Bound where T: FloatingPoint {
    /// A finite number (no NaN or infinity).
    public static var finite: Bound {
        Bound("finite") { $0.isFinite ? nil : "must be a finite number, not \($0)" }
    }
    /// `0 <= value < 1`: a rate such as dropout.
    public static var fraction: Bound { .within(0..<1) }
}

extension Bound where T == String {
    /// One of a fixed set of words.
    public static func oneOf(_ words: [String]) -> Bound {
        Bound(words.map { "\"\($0)\"" }.joined(separator: ", ")) { word in
            guard !words.contains(word) else { return nil }
            var text = "must be one of " + words.map { "\"\($0)\"" }.joined(separator: ", ") + ", not \"\(word)\""
            if let suggestion = Suggestions.closest(to: word, in: words) { text += "; did you mean \"\(suggestion)\"?" }
            return text
        }
    }
}

extension Bound where T: Collection {
    public static var nonEmpty: Bound {
        Bound("not empty") { $0.isEmpty ? "must not be empty" : nil }
    }
}
