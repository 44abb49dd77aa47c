/// The one way to declare a builtin, shared by the prelude and every library.
///
/// A builtin is its parameters (`Arg`s, which are also its `Signature`), its documentation and a body that
/// receives the decoded arguments as typed, named Swift values:
///
///     registry.function(
///         "sqrt", Arg<Double>(nil, "x"), doc: "The square root.", example: "sqrt(2.0)"
///     ) { _, x in x.squareRoot() }
///
/// The body's first parameter is the `CallContext` (call back into closures, write output, check interrupts).
/// A body returns any `ScriptValueConvertible` (`Double`, `[Int]`, a library object, `Value`) or nothing.

/// A builtin's parameters in order, and the decoders from a call's arguments to typed values.
public struct Parameters<each T> {
    /// The parameters as the signature declares them.
    public let declarations: [Signature.Parameter]
    /// One decoder per parameter; a body is called as `body(repeat try (each decoders)(arguments, &index, context))`.
    let decoders: (repeat (Arguments, inout Int, CallContext) throws -> each T)

    public init(_ arguments: repeat Arg<each T>) {
        var declarations: [Signature.Parameter] = []
        for argument in repeat each arguments { declarations.append(argument.parameter) }
        self.declarations = declarations
        self.decoders = (repeat (each arguments).decode)
    }

    /// Every argument decoded, in declaration order (for helpers that build a `BuiltinFunction` themselves; the
    /// registration functions call their body without making this tuple).
    public func decode(_ arguments: Arguments, context: CallContext) throws -> (repeat each T) {
        var index = 0
        return (repeat try (each decoders)(arguments, &index, context))
    }

    /// Runs a body, turning a `BuiltinError` that names a parameter into one that points at its argument.
    @inline(__always)
    public func blaming<R>(_ body: () throws -> R) throws -> R {
        do {
            return try body()
        } catch var error as BuiltinError where error.argument == nil && error.parameter != nil {
            error.argument = declarations.firstIndex { $0.name == error.parameter || $0.label == error.parameter }
            if error.argument == nil, let collector = declarations.firstIndex(where: \.collectsLabels) {
                // A name no parameter has: one of the labelled arguments that parameter collected.
                error.argument = collector
                error.labelledArgument = error.parameter
            }
            throw error
        }
    }
}

extension BuiltinRegistry {
    /// Declares a global function.
    public func function<each T, R: ScriptValueConvertible>(
        _ name: String, _ arguments: repeat Arg<each T>, returns: String? = nil, doc: String, example: String? = nil,
        _ body: @escaping (CallContext, repeat each T) throws -> R
    ) {
        register(makeFunction(name, Parameters(repeat each arguments), returns, doc, example, body))
    }

    /// Declares a global function that returns nothing.
    public func function<each T>(
        _ name: String, _ arguments: repeat Arg<each T>, doc: String, example: String? = nil,
        _ body: @escaping (CallContext, repeat each T) throws -> Void
    ) {
        let parameters = Parameters(repeat each arguments)
        let decoders = parameters.decoders
        let signature = Signature(name, parameters.declarations, returns: "Void", doc: doc, example: example)
        register(
            BuiltinFunction(signature) { arguments, context in
                var index = 0
                try parameters.blaming {
                    try body(context, repeat try (each decoders)(arguments, &index, context))
                }
                return .nil
            })
    }

    /// The type whose values are objects of the Swift class `Object`, created and registered on first use (so
    /// extending a type does not depend on the order families register in).
    @discardableResult
    public func type<Object: NativeObject & ArgumentType>(
        _ object: Object.Type, doc: String? = nil, conformsTo conformances: Set<String> = []
    ) -> TypeBuilder<Object> {
        type(named: Object.scriptTypeName, of: object, doc: doc, conformsTo: conformances)
    }

    /// The script type `name` whose values are `Receiver`s: one Swift class may back several script types (every
    /// layer is a `LayerObject`), and the prelude's value types receive a `Value`.
    @discardableResult
    public func type<Receiver: ArgumentType>(
        named name: String, of receiver: Receiver.Type, doc: String? = nil, conformsTo conformances: Set<String> = []
    ) -> TypeBuilder<Receiver> {
        let descriptor: TypeDescriptor
        if let existing = registeredTypes[name] {
            descriptor = existing
            if let doc { descriptor.documentation = doc }
        } else {
            descriptor = TypeDescriptor(name, doc: doc ?? "")
            register(descriptor)
        }
        descriptor.conformances.formUnion(conformances)
        return TypeBuilder(descriptor: descriptor)
    }

    /// Registers the choices of a `Choices` table as implicit members (completion and docs).
    public func register<Result>(_ choices: Choices<Result>) {
        for choice in choices.choices { registerImplicitMember(choice.name, doc: choice.summary) }
    }
}

func makeFunction<each T, R: ScriptValueConvertible>(
    _ name: String, _ parameters: Parameters<repeat each T>, _ returns: String?, _ doc: String, _ example: String?,
    deferredReturns: (@Sendable () -> String?)? = nil, _ body: @escaping (CallContext, repeat each T) throws -> R
) -> BuiltinFunction {
    let signature = Signature(
        name, parameters.declarations, returns: returns,
        deferredReturnType: deferredReturns ?? { returnTypeName(R.self) }, doc: doc, example: example)
    let decoders = parameters.decoders
    return BuiltinFunction(signature) { arguments, context in
        var index = 0
        return try parameters.blaming {
            try body(context, repeat try (each decoders)(arguments, &index, context)).scriptValue
        }
    }
}

/// The script name of a body's return type, when it has a fixed one.
func returnTypeName<R>(_ type: R.Type) -> String? {
    if R.self == Value.self { return nil }
    return (type as? any ArgumentType.Type)?.scriptTypeName
}

/// Declares the members of one script type; its receiver reaches every body as a `Receiver`.
public struct TypeBuilder<Receiver: ArgumentType> {
    public let descriptor: TypeDescriptor

    func receiver(_ value: Value, _ context: CallContext) throws -> Receiver {
        guard let receiver = try Receiver.decode(value, context: context) else {
            throw BuiltinError(
                .type, "'\(descriptor.name)' member called on a value of type '\(value.typeName)'")
        }
        return receiver
    }

    /// A method: `type.method("predict", Arg<Tensor>(nil, "input")) { model, context, input in … }`.
    public func method<each T, R: ScriptValueConvertible>(
        _ name: String, _ arguments: repeat Arg<each T>, returns: String? = nil, doc: String, example: String? = nil,
        _ body: @escaping (Receiver, CallContext, repeat each T) throws -> R
    ) {
        let parameters = Parameters(repeat each arguments)
        let decoders = parameters.decoders
        let signature = Signature(
            name, parameters.declarations, returns: returns, deferredReturnType: { returnTypeName(R.self) }, doc: doc,
            example: example)
        descriptor.add(
            Method(signature) { value, arguments, context in
                let receiver = try receiver(value, context)
                var index = 0
                return try parameters.blaming {
                    try body(receiver, context, repeat try (each decoders)(arguments, &index, context)).scriptValue
                }
            })
    }

    /// A method that returns nothing.
    public func method<each T>(
        _ name: String, _ arguments: repeat Arg<each T>, doc: String, example: String? = nil,
        _ body: @escaping (Receiver, CallContext, repeat each T) throws -> Void
    ) {
        let parameters = Parameters(repeat each arguments)
        let decoders = parameters.decoders
        let signature = Signature(name, parameters.declarations, returns: "Void", doc: doc, example: example)
        descriptor.add(
            Method(signature) { value, arguments, context in
                let receiver = try receiver(value, context)
                var index = 0
                try parameters.blaming {
                    try body(receiver, context, repeat try (each decoders)(arguments, &index, context))
                }
                return .nil
            })
    }

    /// A method of a value type that changes its receiver in place (`xs.append(x)`): the body gets the variable's
    /// value `inout`, and the interpreter writes it back.
    public func mutatingMethod<each T, R: ScriptValueConvertible>(
        _ name: String, _ arguments: repeat Arg<each T>, returns: String? = nil, doc: String, example: String? = nil,
        _ body: @escaping (inout Value, CallContext, repeat each T) throws -> R
    ) {
        let parameters = Parameters(repeat each arguments)
        let decoders = parameters.decoders
        let signature = Signature(
            name, parameters.declarations, returns: returns, deferredReturnType: { returnTypeName(R.self) }, doc: doc,
            example: example)
        descriptor.add(
            Method(signature, mutating: true) { value, arguments, context in
                var index = 0
                return try parameters.blaming {
                    try body(&value, context, repeat try (each decoders)(arguments, &index, context)).scriptValue
                }
            })
    }

    /// A read-only property.
    public func property<R: ScriptValueConvertible>(
        _ name: String, type: String? = nil, doc: String, _ get: @escaping (Receiver) throws -> R
    ) {
        descriptor.add(
            Property(
                name, type: type, deferredType: { returnTypeName(R.self) }, doc: doc,
                get: { value, context in try get(try receiver(value, context)).scriptValue }))
    }

    /// A property scripts may also set (`tensor.requiresGrad = true`); `set` receives the new value decoded as `V`.
    public func property<V: ArgumentType & ScriptValueConvertible>(
        _ name: String, type: String? = nil, doc: String, get: @escaping (Receiver) throws -> V,
        set: @escaping (Receiver, V) throws -> Void
    ) {
        let typeText = type ?? V.scriptTypeName
        descriptor.add(
            Property(
                name, type: typeText, doc: doc,
                get: { value, context in try get(try receiver(value, context)).scriptValue },
                set: { value, newValue, context in
                    guard let decoded = try V.decode(newValue, context: context) else {
                        throw BuiltinError(
                            .type, "cannot assign value of type '\(newValue.typeName)' to type '\(typeText)'")
                    }
                    try set(try receiver(value, context), decoded)
                }))
    }

    /// `Type(…)`: an initializer (a second one becomes an overload, chosen by labels).
    public func initializer<each T, R: ScriptValueConvertible>(
        _ arguments: repeat Arg<each T>, doc: String, example: String? = nil,
        _ body: @escaping (CallContext, repeat each T) throws -> R
    ) {
        // An initializer returns its type (several script types may share a Swift class), or nil when failable.
        let name = descriptor.name
        descriptor.addInitializer(
            makeFunction(
                name, Parameters(repeat each arguments), nil, doc, example,
                deferredReturns: { returnTypeName(R.self).flatMap { $0.hasSuffix("?") ? $0 : nil } ?? name }, body))
    }

    /// `Type.name(…)`: a static function.
    public func staticFunction<each T, R: ScriptValueConvertible>(
        _ name: String, _ arguments: repeat Arg<each T>, returns: String? = nil, doc: String, example: String? = nil,
        _ body: @escaping (CallContext, repeat each T) throws -> R
    ) {
        descriptor.addStatic(makeFunction(name, Parameters(repeat each arguments), returns, doc, example, body))
    }

    /// `Type.name`: a static property with a fixed value.
    public func staticProperty(_ name: String, type: String, doc: String, _ value: Value) {
        descriptor.addStatic(Property(name, type: type, doc: doc, get: { _, _ in value }))
    }

    /// `value[i, j]` for objects.
    public func subscriptGetter(_ get: @escaping (Receiver, [Value], CallContext) throws -> Value) {
        let decode = receiver
        descriptor.subscriptGetter = { value, indices, context in try get(try decode(value, context), indices, context)
        }
    }

    /// `value[i] = x` for objects.
    public func subscriptSetter(_ set: @escaping (Receiver, [Value], Value, CallContext) throws -> Void) {
        let decode = receiver
        descriptor.subscriptSetter = { value, indices, newValue, context in
            try set(try decode(value, context), indices, newValue, context)
        }
    }

    /// What `for x in value` visits.
    public func iterate(_ elements: @escaping (Receiver, CallContext) throws -> [Value]) {
        let decode = receiver
        descriptor.iterate = { value, context in try elements(try decode(value, context), context) }
    }
}
