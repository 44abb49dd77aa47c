/// The arguments of a builtin call, one per signature parameter, already matched by label.
///
/// Accessors convert and check types, throwing a `BuiltinError` that points at the argument.
public struct Arguments {
    public var values: [Value]
    /// The parameters' types as documented, for messages (an array, not the whole signature, so
    /// packing arguments retains one buffer instead of every string of the signature).
    let parameterTypes: [String]

    init(values: [Value], parameterTypes: [String]) {
        self.values = values
        self.parameterTypes = parameterTypes
    }

    public subscript(index: Int) -> Value { values[index] }

    /// Each parameter with the value it received (its default when the call left it out), by name — for code that
    /// describes a call (a layer's spec and checkpoint description), never to read one argument.
    public func byName(_ parameters: [Signature.Parameter]) -> [(parameter: Signature.Parameter, value: Value)] {
        Array(zip(parameters, values)).map { (parameter: $0.0, value: $0.1) }
    }

    public var count: Int { values.count }

    private func mismatch(_ index: Int, expected: String) -> BuiltinError {
        BuiltinError(
            .type, "cannot convert value of type '\(values[index].typeName)' to expected argument type '\(expected)'",
            argument: index)
    }

    public func int(_ index: Int) throws -> Int {
        if case .int(let i) = values[index] { return i }
        if case .double(let d) = values[index], d.rounded() == d, let i = Int(exactly: d) { return i }
        throw mismatch(index, expected: "Int")
    }

    /// An Int is accepted where a Double is expected (Rigor promotes numbers).
    public func double(_ index: Int) throws -> Double {
        switch values[index] {
        case .double(let d): return d
        case .int(let i): return Double(i)
        default: throw mismatch(index, expected: "Double")
        }
    }

    public func string(_ index: Int) throws -> String {
        if case .string(let s) = values[index] { return s }
        throw mismatch(index, expected: "String")
    }

    public func bool(_ index: Int) throws -> Bool {
        if case .bool(let b) = values[index] { return b }
        throw mismatch(index, expected: "Bool")
    }

    public func array(_ index: Int) throws -> [Value] {
        if case .array(let a) = values[index] { return a }
        throw mismatch(index, expected: "Array")
    }

    public func function(_ index: Int) throws -> Value {
        if case .function = values[index] { return values[index] }
        throw mismatch(index, expected: index < parameterTypes.count ? parameterTypes[index] : "Function")
    }

    public func isNil(_ index: Int) -> Bool { values[index].isNil }

    /// The object of the given Swift class, or a type error naming `typeName`.
    public func object<T: NativeObject>(_ index: Int, as type: T.Type, typeName: String) throws -> T {
        if case .object(let o) = values[index], let t = o as? T { return t }
        throw mismatch(index, expected: typeName)
    }

    public func implicitMember(_ index: Int, expected: String) throws -> ImplicitMember {
        if case .implicitMember(let m) = values[index] { return m }
        throw mismatch(index, expected: expected)
    }
}

/// An error raised by a builtin; the interpreter anchors it at the call (or at one argument).
public struct BuiltinError: Error, Sendable {
    public var kind: ErrorKind
    public var message: String
    /// The parameter index whose argument is to blame, if one is.
    public var argument: Int?
    public var notes: [String]

    /// The name of the parameter whose argument is to blame (a body knows names, not positions); the builtin's
    /// wrapper turns it into `argument`.
    public var parameter: String?

    public init(_ kind: ErrorKind, _ message: String, argument: Int? = nil, notes: [String] = []) {
        self.kind = kind
        self.message = message
        self.argument = argument
        self.notes = notes
    }

    /// An error blamed on the argument of the parameter named `parameter`.
    public init(_ kind: ErrorKind, _ message: String, parameter: String, notes: [String] = []) {
        self.init(kind, message, notes: notes)
        self.parameter = parameter
    }
}
