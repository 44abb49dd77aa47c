import OrderedCollections

/// A Swift type a builtin's parameter decodes to: the one place that says which script values it accepts.
///
/// `Arg<Int>("epochs", default: 10)` decodes through `Int`'s conformance; a library makes its object classes
/// conform (`TensorObject`, `ModelObject`) and a body then receives them typed. A parameter that needs another rule
/// (a choice table, "a Tensor or a Dataset") passes its own decoder to `Arg` instead.
public protocol ArgumentType {
    /// The type as signatures, docs and messages show it (`Int`, `[Double]`, `Tensor`).
    static var scriptTypeName: String { get }
    /// `value` as `Self`, or nil when it is not one (the decoder then reports "cannot convert value of type …" at
    /// the argument). Throw a `BuiltinError` for a value of the right kind that is still wrong.
    static func decode(_ value: Value, context: CallContext) throws -> Self?
}

/// A Swift value a builtin can return (or use as a parameter's default): its script value.
public protocol ScriptValueConvertible {
    var scriptValue: Value { get }
}

extension Value: ArgumentType, ScriptValueConvertible {
    public static var scriptTypeName: String { "Any" }
    public static func decode(_ value: Value, context: CallContext) -> Value? { value }
    public var scriptValue: Value { self }
}

extension Int: ArgumentType, ScriptValueConvertible {
    public static var scriptTypeName: String { "Int" }
    /// An Int, or a Double with an integral value (`1e3`).
    public static func decode(_ value: Value, context: CallContext) -> Int? {
        if case .int(let i) = value { return i }
        if case .double(let d) = value, d.rounded() == d, let i = Int(exactly: d) { return i }
        return nil
    }
    public var scriptValue: Value { .int(self) }
}

extension Double: ArgumentType, ScriptValueConvertible {
    public static var scriptTypeName: String { "Double" }
    /// A Double, or an Int (Rigor promotes numbers).
    public static func decode(_ value: Value, context: CallContext) -> Double? { value.doubleValue }
    public var scriptValue: Value { .double(self) }
}

extension Float: ArgumentType, ScriptValueConvertible {
    /// The engine computes in Float; scripts only know Double.
    public static var scriptTypeName: String { "Double" }
    public static func decode(_ value: Value, context: CallContext) -> Float? { value.doubleValue.map(Float.init) }
    /// The shortest decimal that reads back as this Float (`1e-3` stays 0.001, not 0.0010000000474974513).
    public var scriptValue: Value { .double(Double(description) ?? Double(self)) }
}

extension String: ArgumentType, ScriptValueConvertible {
    public static var scriptTypeName: String { "String" }
    public static func decode(_ value: Value, context: CallContext) -> String? { value.stringValue }
    public var scriptValue: Value { .string(self) }
}

extension Bool: ArgumentType, ScriptValueConvertible {
    public static var scriptTypeName: String { "Bool" }
    public static func decode(_ value: Value, context: CallContext) -> Bool? { value.boolValue }
    public var scriptValue: Value { .bool(self) }
}

extension Array: ArgumentType where Element: ArgumentType {
    public static var scriptTypeName: String {
        Element.self == Value.self ? "Array" : "[\(Element.scriptTypeName)]"
    }
    /// An array whose every element decodes as `Element`.
    public static func decode(_ value: Value, context: CallContext) throws -> [Element]? {
        guard case .array(let elements) = value else { return nil }
        if Element.self == Value.self { return elements as? [Element] }
        var decoded: [Element] = []
        decoded.reserveCapacity(elements.count)
        for element in elements {
            guard let item = try Element.decode(element, context: context) else {
                throw BuiltinError(
                    .type,
                    "expected an array of \(Element.scriptTypeName), found an element of type '\(element.typeName)'")
            }
            decoded.append(item)
        }
        return decoded
    }
}

extension Array: ScriptValueConvertible where Element: ScriptValueConvertible {
    public var scriptValue: Value {
        // `[Value]` (what `map` and `filter` return) is already the payload: no pass over the elements.
        if Element.self == Value.self { return .array(unsafeBitCast(self, to: [Value].self)) }
        return .array(map(\.scriptValue))
    }
}

extension Optional: ArgumentType where Wrapped: ArgumentType {
    public static var scriptTypeName: String { Wrapped.scriptTypeName + "?" }
    /// `nil`, or a `Wrapped`.
    public static func decode(_ value: Value, context: CallContext) throws -> Wrapped?? {
        if case .nil = value { return .some(.none) }
        return try Wrapped.decode(value, context: context).map { .some($0) }
    }
}

extension Optional: ScriptValueConvertible where Wrapped: ScriptValueConvertible {
    public var scriptValue: Value { self?.scriptValue ?? .nil }
}

extension OrderedDictionary: ArgumentType where Key == Value, Value == RigorScript.Value {
    public static var scriptTypeName: String { "Dictionary" }
    public static func decode(_ value: RigorScript.Value, context: CallContext) -> Self? {
        if let dictionary = value.dictionaryEntries { return dictionary }
        return nil
    }
}

extension RangeValue: ArgumentType, ScriptValueConvertible {
    public static var scriptTypeName: String { "Range" }
    public static func decode(_ value: Value, context: CallContext) -> RangeValue? {
        if case .range(let range) = value { return range }
        return nil
    }
    public var scriptValue: Value { .range(self) }
}

extension ImplicitMember: ArgumentType, ScriptValueConvertible {
    public static var scriptTypeName: String { "ImplicitMember" }
    public static func decode(_ value: Value, context: CallContext) -> ImplicitMember? {
        if case .implicitMember(let member) = value { return member }
        return nil
    }
    public var scriptValue: Value { .implicitMember(self) }
}

/// A function value a builtin calls back (`map`'s transform, `sorted(by:)`'s order): a closure, a builtin, an
/// operator passed as a function, or a type used as its initializer (`map(String.init)`).
public struct FunctionValue: ArgumentType, ScriptValueConvertible {
    public let value: Value
    public static var scriptTypeName: String { "Function" }
    public static func decode(_ value: Value, context: CallContext) -> FunctionValue? {
        switch value {
        case .function: return FunctionValue(value: value)
        case .type(let descriptor) where descriptor.initializer != nil: return FunctionValue(value: value)
        default: return nil
        }
    }
    public var scriptValue: Value { value }
}

/// A number that stays what it is: `abs(-3)` is an Int, `abs(-2.5)` a Double.
public enum Number: ArgumentType, ScriptValueConvertible {
    case int(Int)
    case double(Double)
    public static var scriptTypeName: String { "Number" }
    public static func decode(_ value: Value, context: CallContext) -> Number? {
        switch value {
        case .int(let i): return .int(i)
        case .double(let d): return .double(d)
        default: return nil
        }
    }
    public var scriptValue: Value {
        switch self {
        case .int(let i): return .int(i)
        case .double(let d): return .double(d)
        }
    }
    public var doubleValue: Double {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        }
    }
}

extension ArgumentType where Self: NativeObject {
    /// An object of this class.
    public static func decode(_ value: Value, context: CallContext) -> Self? {
        if case .object(let object) = value { return object as? Self }
        return nil
    }
}

extension ScriptValueConvertible where Self: NativeObject {
    public var scriptValue: Value { .object(self) }
}
