/// Callable: anything that can be called — a user function or closure, a builtin, a bound method.
public class Callable: CustomStringConvertible, @unchecked Sendable {
    public var description: String { "(Function)" }
    /// The parameters used for label matching and trailing closures.
    var parameterSpecs: [ParameterSpec] { [] }
    /// How the callable reads in messages: `fit(_:epochs:)`.
    var displayName: String { "function" }
}

/// What argument matching needs to know about one parameter.
struct ParameterSpec {
    var label: String?
    var name: String
    var hasDefault: Bool
    var isVariadic: Bool
    var acceptsClosure: Bool
    /// Collects the labelled arguments at its place (`Arg.labelled`).
    var collectsLabels = false
}

extension Signature {
    /// The parameters as argument matching sees them (builtins, methods and choice tables alike).
    var specs: [ParameterSpec] {
        parameters.map {
            ParameterSpec(
                label: $0.label, name: $0.name, hasDefault: $0.hasDefault, isVariadic: $0.isVariadic,
                acceptsClosure: $0.acceptsClosure, collectsLabels: $0.collectsLabels)
        }
    }
}

/// A builtin function: a signature and a Swift body.
public final class BuiltinFunction: Callable {
    public typealias Body = (inout Arguments, CallContext) throws -> Value

    public let signature: Signature
    let body: Body
    let specs: [ParameterSpec]
    /// Other functions of the same name with different labels (`stride(from:to:by:)` and
    /// `stride(from:through:by:)`); a call takes the first whose labels match.
    public internal(set) var overloads: [BuiltinFunction] = []
    /// For an operator passed as a function (`reduce(0, +)`): the operator, so builtins that
    /// call it apply it directly instead of packing an argument array.
    var operatorFunction: (op: TokenKind, span: SourceSpan)?

    public init(_ signature: Signature, body: @escaping Body) {
        self.signature = signature
        self.body = body
        self.specs = signature.specs
    }

    override var parameterSpecs: [ParameterSpec] { specs }
    override var displayName: String { signature.compactName }
}

/// A method taken as a value (`let f = numbers.append` is not allowed, but `xs.map(String.init)`
/// style uses need it): the receiver and the method together.
final class BoundMethod: Callable {
    let receiver: Value
    let method: Method

    init(receiver: Value, method: Method) {
        self.receiver = receiver
        self.method = method
    }

    override var parameterSpecs: [ParameterSpec] { method.specs }
    override var displayName: String { method.signature.compactName }
}

/// A user function or closure: compiled code plus the captured variables it closes over.
final class ScriptFunction: Callable {
    let declaration: FunctionDecl
    let code: CompiledFunction
    let captures: [Box]
    let specs: [ParameterSpec]

    init(declaration: FunctionDecl, code: CompiledFunction, captures: [Box]) {
        self.declaration = declaration
        self.code = code
        self.captures = captures
        self.specs = code.specs
    }

    override var parameterSpecs: [ParameterSpec] { specs }
    override var displayName: String { declaration.displayName }
}
