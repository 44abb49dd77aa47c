/// Prelude: the builtins a Swift user reaches for without thinking — printing, conversions,
/// math, and the members of strings, arrays, dictionaries and ranges.
public enum Prelude {
    /// Registers the prelude into a registry (a session does this for you).
    public static func register(in registry: BuiltinRegistry) {
        registerTypes(in: registry)
        registerOutput(in: registry)
        registerConversions(in: registry)
        registerMath(in: registry)
        registerString(in: registry)
        registerArray(in: registry)
        registerDictionary(in: registry)
        registerRange(in: registry)
    }

    private static func registerTypes(in registry: BuiltinRegistry) {
        registry.beginFamily("Values")
        registry.boolType = TypeDescriptor("Bool", doc: "A truth value: `true` or `false`.")
        registry.intType = TypeDescriptor("Int", doc: "A 64-bit signed integer. Overflow is an error, as in Swift.")
        registry.doubleType = TypeDescriptor("Double", doc: "A 64-bit floating-point number.")
        registry.stringType = TypeDescriptor("String", doc: "Text: a sequence of characters.")
        registry.arrayType = TypeDescriptor(
            "Array", doc: "An ordered collection with value semantics: `let b = a` copies (lazily).")
        registry.dictionaryType = TypeDescriptor(
            "Dictionary", doc: "Key–value pairs, kept in insertion order so output is deterministic.")
        registry.rangeType = TypeDescriptor("Range", doc: "`a..<b` or `a...b`: consecutive Ints.")
        registry.functionType = TypeDescriptor("Function", doc: "A function or closure.")
        registry.nilType = TypeDescriptor("nil", doc: "The absence of a value.")
        for type in [
            registry.boolType!, registry.intType!, registry.doubleType!, registry.stringType!, registry.arrayType!,
            registry.dictionaryType!, registry.rangeType!,
        ] {
            registry.register(type)
        }
    }
}
