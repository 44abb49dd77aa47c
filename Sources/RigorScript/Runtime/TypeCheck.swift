/// TypeCheck: a type annotation prepared for the hot path of calls, so `n: Int` costs one byte
/// compare instead of a string comparison (and copying it retains nothing).
struct TypeCheck {
    enum Kind: UInt8 {
        case int, double, string, bool, any, general
    }

    let kind: Kind
    /// Only for `.general`, kept out of the hot path.
    private let annotation: TypeAnnotation?

    init(_ annotation: TypeAnnotation) {
        switch annotation {
        case .named("Int"): kind = .int
        case .named("Double"): kind = .double
        case .named("String"): kind = .string
        case .named("Bool"): kind = .bool
        case .named("Any"): kind = .any
        default: kind = .general
        }
        self.annotation = kind == .general ? annotation : nil
    }

    /// Whether `value` conforms to a check of this kind as it is (no conversion needed); false
    /// for `.general` checks, which need `apply`.
    @inline(__always)
    static func accepts(_ kind: Kind, _ value: Value) -> Bool {
        switch kind {
        case .any: return true
        case .int: if case .int = value { return true }
        case .double: if case .double = value { return true }
        case .string: if case .string = value { return true }
        case .bool: if case .bool = value { return true }
        case .general: return false
        }
        return false
    }

    /// The value converted to the annotated type, or nil if it does not conform.
    @inline(__always)
    func apply(_ value: Value, registry: BuiltinRegistry) -> Value? {
        switch (kind, value) {
        case (.int, .int), (.double, .double), (.string, .string), (.bool, .bool), (.any, _): return value
        case (.double, .int(let i)): return .double(Double(i))
        case (.general, _): return Conversions.convert(value, to: annotation!, registry: registry)
        default: return nil
        }
    }
}
