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
            // The common case, every element already of its type: the array is returned as it is (no copy,
            // no conversion per element).
            if conformsAsIs(value, to: type, registry: registry) { return value }
            guard case .array(var elements) = value else { return nil }
            for index in elements.indices {
                guard let converted = convert(elements[index], to: element, registry: registry) else { return nil }
                elements[index] = converted
            }
            return .array(elements)
        case .dictionary(let keyType, let valueType):
            guard let dictionary = value.dictionaryEntries else { return nil }
            for (key, entry) in dictionary {
                guard convert(key, to: keyType, registry: registry) != nil,
                    convert(entry, to: valueType, registry: registry) != nil
                else { return nil }
            }
            return value
        }
    }

    /// Whether the value conforms to the type without any conversion (no Int to promote to a
    /// Double anywhere inside). An element type is classified once per array, not per element.
    static func conformsAsIs(_ value: Value, to type: TypeAnnotation, registry: BuiltinRegistry) -> Bool {
        switch type {
        case .optional(let wrapped):
            return value.isNil || conformsAsIs(value, to: wrapped, registry: registry)
        case .function:
            if case .function = value { return true }
            return false
        case .named(let name):
            let kind = TypeCheck(type).kind
            if kind != .general { return TypeCheck.accepts(kind, value) }
            return registry.value(value, conformsTo: name)
        case .array(let element):
            guard case .array(let elements) = value else { return false }
            let kind = TypeCheck(element).kind
            if kind != .general { return elements.allSatisfy { TypeCheck.accepts(kind, $0) } }
            return elements.allSatisfy { conformsAsIs($0, to: element, registry: registry) }
        case .dictionary(let keyType, let valueType):
            guard let dictionary = value.dictionaryEntries else { return false }
            return dictionary.allSatisfy {
                conformsAsIs($0.key, to: keyType, registry: registry)
                    && conformsAsIs($0.value, to: valueType, registry: registry)
            }
        }
    }
}
