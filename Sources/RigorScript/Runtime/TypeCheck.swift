/// TypeCheck: a type annotation prepared for the hot path of calls, so `n: Int` costs one enum
/// test instead of a string comparison.
enum TypeCheck {
    case int
    case double
    case string
    case bool
    case any
    case general(TypeAnnotation)

    init(_ annotation: TypeAnnotation) {
        switch annotation {
        case .named("Int"): self = .int
        case .named("Double"): self = .double
        case .named("String"): self = .string
        case .named("Bool"): self = .bool
        case .named("Any"): self = .any
        default: self = .general(annotation)
        }
    }

    /// The value converted to the annotated type, or nil if it does not conform.
    @inline(__always)
    func apply(_ value: Value, registry: BuiltinRegistry) -> Value? {
        switch (self, value) {
        case (.int, .int), (.double, .double), (.string, .string), (.bool, .bool), (.any, _): return value
        case (.double, .int(let i)): return .double(Double(i))
        case (.general(let annotation), _): return Conversions.convert(value, to: annotation, registry: registry)
        default: return nil
        }
    }
}
