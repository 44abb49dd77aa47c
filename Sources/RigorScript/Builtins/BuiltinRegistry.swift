/// BuiltinRegistry: every builtin function, type and implicit member a session knows.
///
/// The language core registers the prelude; libraries (`RigorLibrary`) register the rest. Each
/// entry carries its `Signature`, so argument checks, completion, inspection and the generated
/// docs all read the same declaration.
public final class BuiltinRegistry {
    public private(set) var functions: [String: BuiltinFunction] = [:]
    public private(set) var types: [String: TypeDescriptor] = [:]
    /// Known implicit members (`.relu`), for completion, with a one-line description each.
    public private(set) var implicitMembers: [String: String] = [:]
    /// The order families were registered in, for docs.
    public private(set) var families: [(name: String, functions: [String], types: [String])] = []
    private var currentFamily: Int?
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

    /// Groups the registrations that follow under a family name (for docs/builtins.md).
    public func beginFamily(_ name: String) {
        families.append((name, [], []))
        currentFamily = families.count - 1
    }

    /// Registers a function; one with a name already present becomes an overload of it.
    public func register(_ function: BuiltinFunction) {
        if let existing = functions[function.signature.name] {
            existing.overloads.append(function)
            return
        }
        functions[function.signature.name] = function
        if let currentFamily { families[currentFamily].functions.append(function.signature.name) }
    }

    /// Registers a function from its signature and body.
    public func register(_ signature: Signature, body: @escaping BuiltinFunction.Body) {
        register(BuiltinFunction(signature, body: body))
    }

    /// Registers a type; its name becomes a global (`Double.pi`, `Tensor.zeros`).
    public func register(_ type: TypeDescriptor) {
        types[type.name] = type
        if let currentFamily { families[currentFamily].types.append(type.name) }
    }

    public func registerImplicitMember(_ name: String, doc: String) {
        implicitMembers[name] = doc
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
        case .dictionary: return dictionaryType
        case .range: return rangeType
        case .function: return functionType
        case .object(let object): return types[object.typeName]
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
            if case .object(let object) = value, let descriptor = types[object.typeName] {
                return descriptor.conformances.contains(name)
            }
            return false
        }
    }

    /// Whether a type name can appear in an annotation.
    func isKnownTypeName(_ name: String) -> Bool {
        if types[name] != nil || ["Any", "Function", "Void"].contains(name) { return true }
        return types.values.contains { $0.conformances.contains(name) }
    }
}
