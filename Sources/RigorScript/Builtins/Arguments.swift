/// The arguments of a builtin call, one per signature parameter, already matched by label (defaults filled in).
///
/// A body never reads them: the `Arg`s of its declaration decode them into the typed values it receives
/// (`Builtins/Define.swift`). Only `byName` is public, for code that describes a whole call.
public struct Arguments {
    var values: [Value]

    init(values: [Value]) {
        self.values = values
    }

    /// Each parameter with the value it received (its default when the call left it out), by name — for code that
    /// describes a call (a layer's spec and checkpoint description), never to read one argument.
    public func byName(_ parameters: [Signature.Parameter]) -> [(parameter: Signature.Parameter, value: Value)] {
        Array(zip(parameters, values)).map { (parameter: $0.0, value: $0.1) }
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

    /// For a parameter that collects labelled arguments (`Arg.labelled`): the label of the one to blame. A body sets
    /// it by naming that label as `parameter` (`BuiltinError(…, parameter: "width")` in `interact(width: [])`).
    public var labelledArgument: String?

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
