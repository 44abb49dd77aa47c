/// BuiltinRegistry: every builtin function, type and implicit member a session knows.
///
/// The language core registers the prelude; libraries (`RigorLibrary`) register the rest. Each
/// entry carries its `Signature`, so argument checks, completion, inspection and the generated
/// docs all read the same declaration.
public final class BuiltinRegistry {
    /// Every function, type, implicit member and family, the lazily registered ones included (reading one of
    /// these runs the pending registrations first, see `registerLazily`).
    public var functions: [String: BuiltinFunction] {
        registerPending()
        return registeredFunctions
    }
    public var types: [String: TypeDescriptor] {
        registerPending()
        return registeredTypes
    }
    /// Known implicit members (`.relu`), for completion, with a one-line description each.
    public var implicitMembers: [String: String] {
        registerPending()
        return Dictionary(registeredImplicitMembers.map { ($0.name, $0.doc) }, uniquingKeysWith: { _, last in last })
    }
    /// The order families were registered in, for docs.
    public var families: [(name: String, functions: [String], types: [String])] {
        registerPending()
        return registeredFamilies
    }
    // What is registered so far (the pending registrations not run).
    private(set) var registeredFunctions: [String: BuiltinFunction] = [:]
    private(set) var registeredTypes: [String: TypeDescriptor] = [:]
    /// In registration order, made into a dictionary when asked for: growing a `[String: String]` at start-up
    /// instantiates its storage in the standard library's prespecialized code, from a mangled name, which scans
    /// every protocol conformance in the binary (~0.7 M instructions of each `rigor run`).
    private var registeredImplicitMembers: [(name: String, doc: String)] = []
    private var registeredFamilies: [(name: String, functions: [String], types: [String])] = []
    private var currentFamily: Int?
    /// Registrations that run on first need (`registerLazily`), in order.
    private var pending: [(BuiltinRegistry) -> Void] = []
    /// Counts the runs of pending registrations: a session compares it with the one it defined its globals at.
    private(set) var generation = 0
    /// Checks an allocation of `bytes` (nil: the size overflowed) for `operation`, throwing a `BuiltinError` of
    /// kind `.memory` when it is refused; nil uses the language's own limit (see `checkAllocation`). A library
    /// with its own memory budget installs it here.
    public var allocationCheck: ((_ bytes: Int?, _ operation: String) throws -> Void)?

    // Descriptors of the built-in value types, cached for fast member lookup.
    var boolType: TypeDescriptor!
    var intType: TypeDescriptor!
    var doubleType: TypeDescriptor!
    var stringType: TypeDescriptor!
    var arrayType: TypeDescriptor!
    var dictionaryType: TypeDescriptor!
    var rangeType: TypeDescriptor!
    var functionType: TypeDescriptor!
    var nilType: TypeDescriptor!

    public init() {}

    /// Defers `register` until something needs a builtin the registry does not have yet: a name a script reads
    /// that no global holds, a member of an object, a type name in an annotation, or any read of `functions`,
    /// `types`, `implicitMembers` or `families` (docs, completion, inspection). Registering the engine's ~1,500
    /// builtins cost ~10 M instructions on every start, though a script that only computes never uses one
    /// (docs/performance.md, Interpreter: start-up). A registration made directly while some are pending runs
    /// them first, so families keep their order.
    public func registerLazily(_ register: @escaping (BuiltinRegistry) -> Void) {
        pending.append(register)
    }

    /// Whether registrations are waiting (`registerLazily`).
    public var hasPendingRegistrations: Bool { !pending.isEmpty }

    /// Whether the prelude is registered (its types are there).
    public var hasPrelude: Bool { intType != nil }

    /// Runs the pending registrations, in the order they were added; false if there were none.
    @discardableResult
    public func registerPending() -> Bool {
        guard !pending.isEmpty else { return false }
        let registrations = pending
        pending = []
        for register in registrations { register(self) }
        generation += 1
        return true
    }

    /// Groups the registrations that follow under a family name (for docs/builtins.md).
    public func beginFamily(_ name: String) {
        registerPending()
        registeredFamilies.append((name, [], []))
        currentFamily = registeredFamilies.count - 1
    }

    /// Registers a function; one with a name already present becomes an overload of it.
    public func register(_ function: BuiltinFunction) {
        registerPending()
        if let existing = registeredFunctions[function.signature.name] {
            existing.overloads.append(function)
            return
        }
        registeredFunctions[function.signature.name] = function
        if let currentFamily { registeredFamilies[currentFamily].functions.append(function.signature.name) }
    }

    /// Registers a function from its signature and body.
    public func register(_ signature: Signature, body: @escaping BuiltinFunction.Body) {
        register(BuiltinFunction(signature, body: body))
    }

    /// Registers a type; its name becomes a global (`Double.pi`, `Tensor.zeros`).
    public func register(_ type: TypeDescriptor) {
        registerPending()
        registeredTypes[type.name] = type
        if let currentFamily { registeredFamilies[currentFamily].types.append(type.name) }
    }

    public func registerImplicitMember(_ name: String, doc: String) {
        registerPending()
        registeredImplicitMembers.append((name, doc))
    }

    /// The type registered as `name`, running the pending registrations if it is not there yet.
    func type(named name: String) -> TypeDescriptor? {
        if let type = registeredTypes[name] { return type }
        return registerPending() ? registeredTypes[name] : nil
    }

    /// The type descriptor that holds a value's members.
    public func descriptor(for value: Value) -> TypeDescriptor? {
        switch value {
        case .nil: return nilType
        case .bool: return boolType
        case .int: return intType
        case .double: return doubleType
        case .string: return stringType
        case .array: return arrayType
        case .dictionaryBox: return dictionaryType
        case .range: return rangeType
        case .function: return functionType
        case .object(let object): return type(named: object.typeName)
        case .implicitMember: return nil
        case .type(let descriptor): return descriptor
        }
    }

    /// Whether a value satisfies a type named in an annotation (`Double` accepts an Int).
    func value(_ value: Value, conformsTo name: String) -> Bool {
        switch (name, value) {
        case ("Any", _): return true
        case ("Int", .int), ("Double", .double), ("Double", .int), ("String", .string), ("Bool", .bool): return true
        case ("Range", .range), ("Function", .function): return true
        default:
            if value.typeName == name { return true }
            if case .object(let object) = value, let descriptor = type(named: object.typeName) {
                return descriptor.conformances.contains(name)
            }
            return false
        }
    }

    /// Whether a type name can appear in an annotation.
    func isKnownTypeName(_ name: String) -> Bool {
        if registeredTypes[name] != nil || ["Any", "Function", "Void"].contains(name) { return true }
        if registeredTypes.values.contains(where: { $0.conformances.contains(name) }) { return true }
        return registerPending() && isKnownTypeName(name)
    }
}
