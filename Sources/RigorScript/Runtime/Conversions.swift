/// Conversions: how a value meets a type annotation at a call boundary or binding.
enum Conversions {
    /// The value as the annotated type (an Int becomes a Double for `Double`), or nil if it does
    /// not conform.
    static func convert(_ value: Value, to type: TypeAnnotation, registry: BuiltinRegistry) -> Value? {
        switch type {
        case .optional(let wrapped):
            if value.isNil { return value }
            return convert(value, to: wrapped, registry: registry)
        case .function:
            if case .function = value { return value }
            return nil
        case .named("Double"):
            if case .int(let i) = value { return .double(Double(i)) }
            if case .double = value { return value }
            return nil
        case .named(let name):
            return registry.value(value, conformsTo: name) ? value : nil
        case .array(let element):
            guard case .array(var elements) = value else { return nil }
            for index in elements.indices {
                guard let converted = convert(elements[index], to: element, registry: registry) else { return nil }
                elements[index] = converted
            }
            return .array(elements)
        case .dictionary(let keyType, let valueType):
            guard case .dictionary(let dictionary) = value else { return nil }
            for (key, entry) in dictionary {
                guard convert(key, to: keyType, registry: registry) != nil,
                    convert(entry, to: valueType, registry: registry) != nil
                else { return nil }
            }
            return value
        }
    }
}
