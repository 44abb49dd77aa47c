/// A method of a builtin type. The receiver is `inout` so that value types (arrays, dictionaries)
/// can mutate in place; `isMutating` methods write the receiver back to its variable.
public struct Method {
    public typealias Body = (inout Value, inout Arguments, CallContext) throws -> Value

    public let signature: Signature
    public let isMutating: Bool
    let body: Body
    let specs: [ParameterSpec]
    /// Methods of the same name with other labels (`append(_:)`, `append(contentsOf:)`).
    public internal(set) var overloads: [Method] = []

    public init(_ signature: Signature, mutating isMutating: Bool = false, body: @escaping Body) {
        self.signature = signature
        self.isMutating = isMutating
        self.body = body
        self.specs = signature.specs
    }
}

/// A read-only (or, for objects, settable) property of a builtin type.
public struct Property {
    public let name: String
    /// The type as docs and completion show it.
    public var type: String { typeText ?? deferredType?() ?? "Any" }
    private let typeText: String?
    /// Named when first asked for (see `Signature.returnType`).
    private let deferredType: (() -> String?)?
    public let documentation: String
    let get: (Value, CallContext) throws -> Value
    let set: ((Value, Value, CallContext) throws -> Void)?

    public init(
        _ name: String, type: String, doc documentation: String,
        get: @escaping (Value, CallContext) throws -> Value,
        set: ((Value, Value, CallContext) throws -> Void)? = nil
    ) {
        self.name = name
        self.typeText = type
        self.deferredType = nil
        self.documentation = documentation
        self.get = get
        self.set = set
    }

    /// A property whose type, unless given, is named by `deferredType` when first asked for ("Any" if nil).
    init(
        _ name: String, type: String?, deferredType: @escaping () -> String?, doc documentation: String,
        get: @escaping (Value, CallContext) throws -> Value
    ) {
        self.name = name
        self.typeText = type
        self.deferredType = type == nil ? deferredType : nil
        self.documentation = documentation
        self.get = get
        self.set = nil
    }
}

/// A type the language knows: its members, static members and initializer.
///
/// The prelude describes `Int`, `String`, `Array` …; libraries add `Tensor`, `Model` and more.
public final class TypeDescriptor: @unchecked Sendable {
    public let name: String
    public var documentation: String
    public private(set) var methods: [String: Method] = [:]
    public private(set) var properties: [String: Property] = [:]
    public private(set) var staticMethods: [String: BuiltinFunction] = [:]
    public private(set) var staticProperties: [String: Property] = [:]
    /// `Type(…)`: what calling the type does (with overloads for other labels).
    public var initializer: BuiltinFunction?

    /// Adds an initializer; a second one becomes an overload (`String(_:)`, `String(format:_:)`).
    public func addInitializer(_ function: BuiltinFunction) {
        if let initializer {
            initializer.overloads.append(function)
        } else {
            initializer = function
        }
    }
    /// `value[i]` and `value[i] = x` for objects (tensors, datasets).
    public var subscriptGetter: ((Value, [Value], CallContext) throws -> Value)?
    public var subscriptSetter: ((Value, [Value], Value, CallContext) throws -> Void)?
    /// What `for x in value` visits, for objects that are sequences.
    public var iterate: ((Value, CallContext) throws -> [Value])?
    /// Other type names a value of this type satisfies in annotations (`Sequential` is a `Model`).
    public var conformances: Set<String> = []

    public init(_ name: String, doc documentation: String = "") {
        self.name = name
        self.documentation = documentation
    }

    /// Adds a method; one with a name already present becomes an overload of it.
    public func add(_ method: Method) {
        if methods[method.signature.name] != nil {
            methods[method.signature.name]!.overloads.append(method)
        } else {
            methods[method.signature.name] = method
        }
    }
    public func add(_ property: Property) { properties[property.name] = property }
    public func addStatic(_ function: BuiltinFunction) {
        if let existing = staticMethods[function.signature.name] {
            existing.overloads.append(function)
        } else {
            staticMethods[function.signature.name] = function
        }
    }
    public func addStatic(_ property: Property) { staticProperties[property.name] = property }

    /// Every member name, for completion and "did you mean".
    public var memberNames: [String] { Array(methods.keys) + Array(properties.keys) }
    public var staticMemberNames: [String] { Array(staticMethods.keys) + Array(staticProperties.keys) }
}
