/// The per-call-site state: the call's shape and a cache of the last label matching.
final class CallSite {
    let shape: CallShape
    let span: SourceSpan
    /// Where a builtin's errors point when no single argument is to blame.
    let errorSpan: SourceSpan
    var cachedParameters: [ParameterSpec]?
    var cachedCallee: AnyObject?
    var cachedSources: [ArgumentSource] = [] {
        didSet {
            argumentsAreInOrder =
                cachedSources.enumerated().allSatisfy {
                    if case .argument(let i) = $0.element { return i == $0.offset }
                    return false
                } && cachedSources.count == shape.labels.count
        }
    }
    /// Whether `cachedSources` passes argument `i` to parameter `i`, every argument to one.
    private(set) var argumentsAreInOrder = false
    /// The script function called last from here (a weak-free identity cache for the cast). Set
    /// through `remember(_:)`.
    private(set) var lastScript: ScriptFunction?
    /// `lastScript` without ownership, so the fast paths of call sites call it without a retain.
    /// That is sound because `lastScript` keeps it alive: while calls made through `lastScriptReference`
    /// run (`activeCalls`), a replaced function is kept in `retired` (a recursion through this site may
    /// call another function from it, which replaces `lastScript` under the running call).
    private(set) var lastScriptReference: Unmanaged<ScriptFunction>?
    var activeCalls = 0
    private var retired: [ScriptFunction] = []

    /// Makes `script` the function this site calls without the general dispatch.
    func remember(_ script: ScriptFunction) {
        if activeCalls > 0 {
            if let lastScript { retired.append(lastScript) }
        } else if !retired.isEmpty {
            retired.removeAll()
        }
        lastScript = script
        lastScriptReference = .passUnretained(script)
    }

    /// Whether `value` is the function this site called last (compared in place).
    @inline(__always)
    func isLastScript(_ value: Value) -> Bool {
        guard let lastScriptReference else { return false }
        return value.isFunction(identicalTo: lastScriptReference)
    }

    /// Calls the function this site called last (`isLastScript` was true), without retaining it.
    @inline(__always)
    func callLastScript(_ call: (ScriptFunction) throws -> Value) rethrows -> Value {
        activeCalls += 1
        defer { activeCalls -= 1 }
        return try lastScriptReference.unsafelyUnwrapped._withUnsafeGuaranteedRef { try call($0) }
    }
    /// For overloaded builtins: the overload chosen for `cachedCallee`.
    var cachedOverload: Any?

    init(shape: CallShape, span: SourceSpan, errorSpan: SourceSpan) {
        self.shape = shape
        self.span = span
        self.errorSpan = errorSpan
    }

    /// Matches arguments to parameters, reusing the result while the callee stays the same.
    @inline(__always)
    func sources(
        for callee: AnyObject, parameters: @autoclosure () -> [ParameterSpec], name: @autoclosure () -> String
    )
        throws -> [ArgumentSource]
    {
        if cachedCallee === callee { return cachedSources }
        let sources = try ArgumentMatcher.match(shape, to: parameters(), callee: name())
        cachedCallee = callee
        cachedOverload = nil
        cachedSources = sources
        return sources
    }

    /// The span of the argument that filled parameter `index` (for a parameter that collects labelled arguments,
    /// the one labelled `label`, else the first).
    func span(ofParameter index: Int?, label: String? = nil) -> SourceSpan {
        guard let index, index < cachedSources.count else { return errorSpan }
        switch cachedSources[index] {
        case .argument(let i): return shape.spans[i]
        case .variadic(let indices): return indices.first.map { shape.spans[$0] } ?? errorSpan
        case .labelled(let taken):
            let chosen = taken.first { $0.label == label } ?? taken.first
            return chosen.map { shape.spans[$0.index] } ?? errorSpan
        case .defaultValue: return errorSpan
        }
    }

    /// The span a builtin's error points at: its argument's, else the call's.
    func span(of error: BuiltinError) -> SourceSpan {
        span(ofParameter: error.argument, label: error.labelledArgument)
    }
}

/// The compiled arguments of a call. The first three are kept as separate operands, read in place
/// when they are locals, globals, literals or `local op literal` (`fib(n - 1)`), else called directly;
/// closures taken out of an array go through a reabstraction thunk and are retained around the call.
/// A class: the call sites and `callScript` pass it along without copying (and retaining) its operands.
final class ArgumentList {
    let count: Int
    private let first: Operand
    private let second: Operand
    private let third: Operand
    /// The arguments after the third.
    private let rest: [CompiledFunction.Evaluate]

    init(_ expressions: [Expr], compiler: Compiler) {
        count = expressions.count
        let missing = Operand({ _ in .nil })
        first = expressions.count > 0 ? compiler.operand(expressions[0]) : missing
        second = expressions.count > 1 ? compiler.operand(expressions[1]) : missing
        third = expressions.count > 2 ? compiler.operand(expressions[2]) : missing
        rest = expressions.dropFirst(3).map { compiler.compile($0) }
    }

    /// Evaluates the first argument (in the caller's frame).
    @inline(__always)
    func evaluateFirst(in frame: Frame) throws -> Value {
        try first.value(frame)
    }

    /// Evaluates argument `index` (in the caller's frame).
    @inline(__always)
    func evaluate(_ index: Int, in frame: Frame) throws -> Value {
        switch index {
        case 0: return try first.value(frame)
        case 1: return try second.value(frame)
        case 2: return try third.value(frame)
        default: return try rest[index - 3](frame)
        }
    }
}

extension Compiler {
    func compileCall(_ call: CallExpr) -> Evaluate {
        let shape = CallShape(
            labels: call.arguments.map(\.label), spans: call.arguments.map(\.span),
            hasTrailingClosure: call.hasTrailingClosure,
            closingSpan: SourceSpan(
                source: call.span.source, start: pointBefore(call.parenSpan.end), end: call.parenSpan.end))
        let arguments = ArgumentList(call.arguments.map(\.value), compiler: self)
        if let member = call.callee as? MemberExpr {
            return compileMethodCall(member, call: call, shape: shape, arguments: arguments)
        }
        let site = CallSite(shape: shape, span: call.callee.span, errorSpan: call.span)
        let context = self.context
        if let variable = call.callee as? VariableExpr, case .global(let cell) = variable.location {
            // A call of a session function (`fib(n - 1)`): the global is read here, and the
            // function called last from this site is called without the general dispatch.
            let span = variable.span
            let globals = context.globals
            return { frame in
                guard cell.isDefined || globals.loadBuiltins() && cell.isDefined else {
                    throw Compiler.undefined(cell.name, at: span, globals: globals)
                }
                // The identity is compared in place; the function is then taken (retained once)
                // from the site, since the call may reassign the global.
                if site.isLastScript(cell.value) {
                    return try site.callLastScript { script in
                        try Compiler.callScript(
                            script, arguments: arguments, site: site, frame: frame, context: context)
                    }
                }
                return try Compiler.call(cell.value, arguments: arguments, site: site, frame: frame, context: context)
            }
        }
        if let variable = call.callee as? VariableExpr {
            // A function in a local variable (`let square = { $0 * $0 }`, a local function that
            // calls itself): the same fast path, reading the variable in place.
            switch variable.location {
            case .local(let slot):
                return { frame in
                    if site.isLastScript(frame.slots[slot]) {
                        return try site.callLastScript { script in
                            try Compiler.callScript(
                                script, arguments: arguments, site: site, frame: frame, context: context)
                        }
                    }
                    return try Compiler.call(
                        frame.slots[slot], arguments: arguments, site: site, frame: frame, context: context)
                }
            case .cell(let index):
                return { frame in
                    let box = frame.cells[index]
                    if site.isLastScript(box.value) {
                        return try site.callLastScript { script in
                            try Compiler.callScript(
                                script, arguments: arguments, site: site, frame: frame, context: context)
                        }
                    }
                    return try Compiler.call(
                        box.value, arguments: arguments, site: site, frame: frame, context: context)
                }
            case .capture(let index):
                return { frame in
                    let box = frame.captures[index]
                    if site.isLastScript(box.value) {
                        return try site.callLastScript { script in
                            try Compiler.callScript(
                                script, arguments: arguments, site: site, frame: frame, context: context)
                        }
                    }
                    return try Compiler.call(
                        box.value, arguments: arguments, site: site, frame: frame, context: context)
                }
            case .global, .unresolved:
                break
            }
        }
        let callee = compile(call.callee)
        return { frame in
            let function = try callee(frame)
            return try Compiler.call(function, arguments: arguments, site: site, frame: frame, context: context)
        }
    }

    private func pointBefore(_ position: SourcePosition) -> SourcePosition {
        SourcePosition(line: position.line, column: max(1, position.column - 1))
    }

    /// Calls a function value with compiled arguments.
    static func call(
        _ function: Value, arguments: ArgumentList, site: CallSite, frame: Frame, context: CallContext
    ) throws
        -> Value
    {
        switch function {
        case .function(let callable):
            // The same function as last time (recursion, loops): skip the dynamic cast.
            if callable === site.lastScript {
                return try callScript(
                    unsafeDowncast(callable, to: ScriptFunction.self), arguments: arguments, site: site, frame: frame,
                    context: context)
            }
            if let script = callable as? ScriptFunction {
                site.remember(script)
                return try callScript(script, arguments: arguments, site: site, frame: frame, context: context)
            }
            if let builtin = callable as? BuiltinFunction {
                return try callBuiltin(builtin, arguments: arguments, site: site, frame: frame, context: context)
            }
            if let bound = callable as? BoundMethod {
                var receiver = bound.receiver
                return try callMethod(
                    bound.method, key: bound, receiver: &receiver, arguments: arguments, site: site, frame: frame,
                    context: context)
            }
        case .type(let descriptor):
            guard let initializer = descriptor.initializer else {
                throw ScriptError(
                    .type, "type '\(descriptor.name)' cannot be constructed by calling it", at: site.span,
                    notes: descriptor.staticMethods.isEmpty
                        ? []
                        : [
                            Diagnostic.Note(
                                "try one of its static members: \(descriptor.staticMethods.keys.sorted().map { "\(descriptor.name).\($0)" }.joined(separator: ", "))"
                            )
                        ])
            }
            return try callBuiltin(initializer, arguments: arguments, site: site, frame: frame, context: context)
        case .array, .dictionaryBox:
            if let type = collectionType(function) {
                return try callCollectionInitializer(
                    type, arguments: arguments, site: site, frame: frame, context: context)
            }
        case .object:
            if let descriptor = context.registry.descriptor(for: function),
                let method = descriptor.methods["callAsFunction"]
            {
                var receiver = function
                return try callMethod(
                    method, key: descriptor, receiver: &receiver, arguments: arguments, site: site, frame: frame,
                    context: context)
            }
        default:
            break
        }
        throw ScriptError(.type, "cannot call value of non-function type '\(function.typeName)'", at: site.span)
    }

    /// The collection type a literal of types spells (`[Int]`, `[String: [Double]]`), or nil.
    static func collectionType(_ value: Value) -> TypeAnnotation? {
        switch value {
        case .type(let descriptor): return .named(descriptor.name)
        case .array(let elements):
            guard elements.count == 1, let element = collectionType(elements[0]) else { return nil }
            return .array(element)
        case .dictionaryBox(let box):
            let entries = box.entries
            guard entries.count == 1, let key = collectionType(entries.keys[0]),
                let value = collectionType(entries.values[0])
            else { return nil }
            return .dictionary(key, value)
        default: return nil
        }
    }

    /// `[Int](repeating: 0, count: n)`, `[String: Int]()`: Swift's typed initializers. The `Array` or
    /// `Dictionary` initializer builds the value, which is then converted to the type, as an
    /// annotation would (`[Double](repeating: 0, count: 2)` is `[0.0, 0.0]`).
    static func callCollectionInitializer(
        _ type: TypeAnnotation, arguments: ArgumentList, site: CallSite, frame: Frame, context: CallContext
    ) throws -> Value {
        let registry = context.registry
        let descriptor: TypeDescriptor
        if case .array = type { descriptor = registry.arrayType! } else { descriptor = registry.dictionaryType! }
        guard let initializer = descriptor.initializer else {
            throw ScriptError(.type, "type '\(type)' cannot be constructed by calling it", at: site.span)
        }
        let value = try callBuiltin(initializer, arguments: arguments, site: site, frame: frame, context: context)
        guard let converted = Conversions.convert(value, to: type, registry: registry) else {
            throw ScriptError(
                .type, "cannot convert value of type '\(value.typeName)' to '\(type)'", at: site.errorSpan,
                notes: [Diagnostic.Note("every element must be a '\(Compiler.elementDescription(of: type))'")])
        }
        if case .array(.array) = type { return unshareRows(converted) }
        return converted
    }

    /// `[[Int]](repeating: row, count: n)`: every row gets its own storage now (a plain copy), so writing
    /// into a row never copies it later; the conversion above returns conforming rows as they are.
    private static func unshareRows(_ value: Value) -> Value {
        guard case .array(var rows) = value else { return value }
        for index in rows.indices {
            if case .array(let row) = rows[index] { rows[index] = .array(Value.ownStorage(copying: row)) }
        }
        return .array(rows)
    }

    private static func elementDescription(of type: TypeAnnotation) -> String {
        switch type {
        case .array(let element): return element.description
        case .dictionary(let key, let value): return "\(key): \(value)"
        default: return type.description
        }
    }

    @inline(__always)
    static func callScript(
        _ function: ScriptFunction, arguments: ArgumentList, site: CallSite, frame: Frame, context: CallContext
    )
        throws -> Value
    {
        let code = function.code
        if site.cachedCallee !== code {
            _ = try site.sources(for: code, parameters: code.specs, name: function.declaration.displayName)
        }
        if site.argumentsAreInOrder && code.hasDirectParameters && arguments.count == 1 {
            // One argument, the commonest call (`fib(n - 1)`): no loop, no switch over its position.
            let value = try arguments.evaluateFirst(in: frame)
            if let kernel = code.intFunctionKernel, case .int(let x) = value, context.intKernelsSuspended == 0,
                kernel.isEnabled
            {
                if let result = kernel.run(x, 0, context: context) { return .int(result) }
                return try callScriptAgain(function, argument: value, site: site, context: context)
            }
            return try callScript(function, argument: value, site: site, context: context)
        }
        if site.argumentsAreInOrder && code.hasDirectParameters && arguments.count == 2,
            let kernel = code.intFunctionKernel, context.intKernelsSuspended == 0, kernel.isEnabled
        {
            // Two Int arguments of a kernel function (`gcd(a, b)`). A first argument that is not an Int is bound
            // before the second is evaluated, as below.
            let first = try arguments.evaluate(0, in: frame)
            guard case .int(let x) = first else {
                return try callScript(
                    function, first: first, second: nil, arguments: arguments, site: site, frame: frame,
                    context: context)
            }
            let second = try arguments.evaluate(1, in: frame)
            guard case .int(let y) = second else {
                return try callScript(
                    function, first: first, second: second, arguments: arguments, site: site, frame: frame,
                    context: context)
            }
            if let result = kernel.run(x, y, context: context) { return .int(result) }
            context.intKernelsSuspended += 1
            defer { context.intKernelsSuspended -= 1 }
            return try callScript(
                function, first: first, second: second, arguments: arguments, site: site, frame: frame,
                context: context)
        }
        return try code.withFrame(for: function) { calleeFrame in
            if site.argumentsAreInOrder && code.hasDirectParameters {
                // Each argument fills the parameter of its position, in the slot of that number.
                for index in 0..<arguments.count {
                    let value = try arguments.evaluate(index, in: frame)
                    if TypeCheck.accepts(code.parameterKinds[index], value) {
                        // The slot holds nil (frames are cleared after each call): initialized, not assigned.
                        (calleeFrame.slots + index).initialize(to: value)
                    } else if !code.bind(value, parameter: index, in: calleeFrame, registry: context.registry) {
                        throw argumentMismatch(value, parameter: index, of: code, site: site)
                    }
                }
            } else {
                let sources = site.cachedSources
                for index in 0..<sources.count {
                    let value: Value
                    switch sources[index] {
                    case .argument(let i): value = try arguments.evaluate(i, in: frame)
                    case .defaultValue: value = try code.defaults[index]!(calleeFrame)
                    case .variadic, .labelled: value = .nil
                    }
                    if !code.bind(value, parameter: index, in: calleeFrame, registry: context.registry) {
                        throw argumentMismatch(value, parameter: index, of: code, site: site)
                    }
                }
            }
            return try enter(function, code: code, frame: calleeFrame, context: context, site: site)
        }
    }

    /// Runs the callee's body in its bound frame; an error is located at the call site (a script error that
    /// unwound through the callee's frames points there next, a builtin's is reported at the site).
    @inline(__always)
    private static func enter(
        _ function: ScriptFunction, code: CompiledFunction, frame calleeFrame: Frame, context: CallContext,
        site: CallSite
    ) throws -> Value {
        do {
            return try code.enter(function, frame: calleeFrame, context: context, site: site)
        } catch let error as ScriptError {
            if !error.unwinding.frames.isEmpty { error.pendingLocation = site.span }
            throw error
        } catch let error as BuiltinError {
            throw ScriptError(builtin: error, at: site.errorSpan)
        }
    }

    /// Calls a function of one parameter with its evaluated argument.
    @inline(__always)
    private static func callScript(
        _ function: ScriptFunction, argument value: Value, site: CallSite, context: CallContext
    ) throws -> Value {
        let code = function.code
        return try code.withFrame(for: function) { calleeFrame in
            if TypeCheck.accepts(code.parameterKinds[0], value) {
                calleeFrame.slots.initialize(to: value)
            } else if !code.bind(value, parameter: 0, in: calleeFrame, registry: context.registry) {
                throw argumentMismatch(value, parameter: 0, of: code, site: site)
            }
            return try enter(function, code: code, frame: calleeFrame, context: context, site: site)
        }
    }

    /// Calls a function of two parameters whose first argument (and maybe the second) is evaluated; the second is
    /// evaluated after the first is bound, when it is nil.
    @inline(never)
    private static func callScript(
        _ function: ScriptFunction, first: Value, second: Value?, arguments: ArgumentList, site: CallSite,
        frame: Frame, context: CallContext
    ) throws -> Value {
        let code = function.code
        return try code.withFrame(for: function) { calleeFrame in
            for index in 0..<2 {
                let value = index == 0 ? first : try second ?? arguments.evaluate(1, in: frame)
                if !code.bind(value, parameter: index, in: calleeFrame, registry: context.registry) {
                    throw argumentMismatch(value, parameter: index, of: code, site: site)
                }
            }
            return try enter(function, code: code, frame: calleeFrame, context: context, site: site)
        }
    }

    /// The call an `IntFunctionKernel` gave up on, on the general path, with kernels suspended inside it: the
    /// error (an overflow, the recursion limit, an interrupt) is reported there with its spans and frames.
    @inline(never)
    private static func callScriptAgain(
        _ function: ScriptFunction, argument value: Value, site: CallSite, context: CallContext
    ) throws -> Value {
        context.intKernelsSuspended += 1
        defer { context.intKernelsSuspended -= 1 }
        return try callScript(function, argument: value, site: site, context: context)
    }

    @inline(never)
    private static func argumentMismatch(
        _ value: Value, parameter index: Int, of code: CompiledFunction, site: CallSite
    )
        -> ScriptError
    {
        let type = code.parameterTypes[index]!
        return ScriptError(
            .type, "cannot convert value of type '\(value.typeName)' to expected argument type '\(type)'",
            at: site.span(ofParameter: index))
    }

    /// Evaluates the arguments of a builtin call into one value per parameter.
    private static func pack(
        _ signature: Signature, sources: [ArgumentSource], arguments: ArgumentList,
        frame: Frame
    ) throws -> Arguments {
        var evaluated: [Value] = []
        evaluated.reserveCapacity(arguments.count)
        for index in 0..<arguments.count { evaluated.append(try arguments.evaluate(index, in: frame)) }
        return ArgumentMatcher.arrange(sources, signature.parameters) { evaluated[$0] }
    }

    static func callBuiltin(
        _ builtin: BuiltinFunction, arguments: ArgumentList, site: CallSite, frame: Frame, context: CallContext
    )
        throws -> Value
    {
        var chosen = builtin
        let sources: [ArgumentSource]
        if builtin.overloads.isEmpty {
            sources = try site.sources(for: builtin, parameters: builtin.specs, name: builtin.displayName)
        } else if site.cachedCallee === builtin, let cached = site.cachedOverload as? BuiltinFunction {
            chosen = cached
            sources = site.cachedSources
        } else {
            var firstError: Error?
            var found: (BuiltinFunction, [ArgumentSource])?
            for candidate in [builtin] + builtin.overloads {
                do {
                    found = (
                        candidate,
                        try ArgumentMatcher.match(site.shape, to: candidate.specs, callee: candidate.displayName)
                    )
                    break
                } catch {
                    if firstError == nil { firstError = error }
                }
            }
            guard let found else { throw firstError! }
            (chosen, sources) = found
            site.cachedCallee = builtin
            site.cachedOverload = chosen
            site.cachedSources = sources
        }
        var packed = try pack(
            chosen.signature, sources: sources, arguments: arguments,
            frame: frame)
        do {
            return try chosen.body(&packed, context)
        } catch let error as BuiltinError {
            throw ScriptError(builtin: error, at: site.span(of: error))
        } catch let error as ScriptError {
            if !error.unwinding.frames.isEmpty { error.pendingLocation = site.span }
            throw error
        }
    }

    /// Calls a builtin method; `key` identifies the method for the call site's matching cache.
    static func callMethod(
        _ method: Method, key: AnyObject, receiver: inout Value, arguments: ArgumentList, site: CallSite, frame: Frame,
        context: CallContext
    ) throws -> Value {
        var (chosen, packed) = try prepareMethod(
            method, key: key, arguments: arguments, site: site, frame: frame, context: context)
        return try invokeMethod(chosen, receiver: &receiver, packed: &packed, site: site, context: context)
    }

    /// Chooses the overload and evaluates the arguments of a method call (in the caller's frame).
    static func prepareMethod(
        _ method: Method, key: AnyObject, arguments: ArgumentList, site: CallSite, frame: Frame, context: CallContext
    ) throws -> (Method, Arguments) {
        var chosen = method
        let sources: [ArgumentSource]
        if method.overloads.isEmpty {
            sources = try site.sources(for: key, parameters: method.specs, name: method.signature.compactName)
        } else if site.cachedCallee === key, let index = site.cachedOverload as? Int {
            chosen = index < 0 ? method : method.overloads[index]
            sources = site.cachedSources
        } else {
            var firstError: Error?
            var found: (Int, [ArgumentSource])?
            for (index, candidate) in ([method] + method.overloads).enumerated() {
                do {
                    found = (
                        index - 1,
                        try ArgumentMatcher.match(
                            site.shape, to: candidate.specs, callee: candidate.signature.compactName)
                    )
                    break
                } catch {
                    if firstError == nil { firstError = error }
                }
            }
            guard let found else { throw firstError! }
            chosen = found.0 < 0 ? method : method.overloads[found.0]
            sources = found.1
            site.cachedCallee = key
            site.cachedOverload = found.0
            site.cachedSources = sources
        }
        let packed = try pack(
            chosen.signature, sources: sources, arguments: arguments,
            frame: frame)
        return (chosen, packed)
    }

    /// Runs a method chosen and prepared by `prepareMethod` on the receiver.
    @inline(__always)
    static func invokeMethod(
        _ chosen: Method, receiver: inout Value, packed: inout Arguments, site: CallSite, context: CallContext
    ) throws -> Value {
        do {
            return try chosen.body(&receiver, &packed, context)
        } catch let error as BuiltinError {
            throw ScriptError(builtin: error, at: site.span(of: error))
        } catch let error as ScriptError {
            if !error.unwinding.frames.isEmpty { error.pendingLocation = site.span }
            throw error
        }
    }

    private func compileMethodCall(
        _ member: MemberExpr, call: CallExpr, shape: CallShape, arguments: ArgumentList
    )
        -> Evaluate
    {
        let name = member.name
        let errorSpan = SourceSpan(source: call.span.source, start: member.nameSpan.start, end: call.span.end)
        let site = MethodSite(
            site: CallSite(shape: shape, span: member.nameSpan, errorSpan: errorSpan), name: name)
        let context = self.context
        if MutatingMethods.names.contains(name), let receiverPlace = place(member.object) {
            let registry = context.registry
            let general: Evaluate = { frame in
                // The arguments are evaluated before the receiver is moved out of its variable (as Swift evaluates
                // them before the inout access begins), so `xs.append(xs.count)` reads the array, not a placeholder.
                if let descriptor = try Compiler.descriptor(of: receiverPlace, in: frame, registry: registry),
                    let method = site.method(in: descriptor)
                {
                    var (chosen, packed) = try Compiler.prepareMethod(
                        method, key: descriptor, arguments: arguments, site: site.site, frame: frame, context: context)
                    var result: Value = .nil
                    try receiverPlace.modify(frame) { receiver in
                        result = try Compiler.invokeMethod(
                            chosen, receiver: &receiver, packed: &packed, site: site.site, context: context)
                    }
                    return result
                }
                var result: Value = .nil
                try receiverPlace.modify(frame) { receiver in
                    result = try Compiler.invokeMember(
                        name, on: &receiver, arguments: arguments, site: site, frame: frame, context: context)
                }
                return result
            }
            guard name == "append", call.arguments.count == 1, call.arguments[0].label == nil else { return general }
            // `xs.append(x)`, the commonest write in a notebook loop: no method lookup, no argument packing.
            let element = operand(call.arguments[0].value)
            let isPure = element.isPure
            if let variable = member.object as? VariableExpr {
                // On a local or global variable the array is appended to where it is stored, without the
                // place's closures. The receiver is checked before the argument is evaluated, as below.
                switch variable.location {
                case .local(let slot):
                    return { frame in
                        guard case .array = frame.slots[slot] else { return try general(frame) }
                        let value = try element.value(frame)
                        // `copied` and `discard`: a number goes in without `Value`'s outlined copy and destroy.
                        if frame.slots[slot].modifyArray({ $0.append(value.copied) }) == nil {
                            try receiverPlace.modify(frame) { receiver in _ = receiver.modifyArray { $0.append(value) }
                            }
                        }
                        Value.discard(value)
                        return .nil
                    }
                case .global(let cell):
                    return { frame in
                        guard cell.isDefined, !cell.isConstant, case .array = cell.value else {
                            return try general(frame)
                        }
                        let value = try element.value(frame)
                        // The checks again only if evaluating the element may have changed the global.
                        if !isPure && (!cell.isDefined || cell.isConstant)
                            || cell.value.modifyArray({ $0.append(value.copied) }) == nil
                        {
                            try receiverPlace.modify(frame) { receiver in _ = receiver.modifyArray { $0.append(value) }
                            }
                        }
                        Value.discard(value)
                        return .nil
                    }
                default:
                    break
                }
            }
            return { frame in
                guard try Compiler.holdsArray(receiverPlace, in: frame) else { return try general(frame) }
                let value = try element.value(frame)
                try receiverPlace.modify(frame) { receiver in _ = receiver.modifyArray { $0.append(value) } }
                return .nil
            }
        }
        let object = compile(member.object)
        return { frame in
            var receiver = try object(frame)
            return try Compiler.invokeMember(
                name, on: &receiver, arguments: arguments, site: site, frame: frame, context: context)
        }
    }

    /// The type of the value a place holds. Not inlined, so the copy read here is released before the caller
    /// modifies the place (a copy alive during the write would make copy-on-write copy).
    @inline(never)
    private static func descriptor(
        of place: Place, in frame: Frame, registry: BuiltinRegistry
    ) throws
        -> TypeDescriptor?
    {
        registry.descriptor(for: try place.get(frame))
    }

    /// Whether a place holds an array (not inlined, for the same reason as `descriptor(of:in:registry:)`).
    @inline(never)
    private static func holdsArray(_ place: Place, in frame: Frame) throws -> Bool {
        if case .array = try place.get(frame) { return true }
        return false
    }

    /// `receiver.name(arguments)`: a method of the receiver's type, a static member of a type,
    /// or a property holding a function.
    static func invokeMember(
        _ name: String, on receiver: inout Value, arguments: ArgumentList, site: MethodSite, frame: Frame,
        context: CallContext
    ) throws -> Value {
        if case .type(let descriptor) = receiver {
            if let function = descriptor.staticMethods[name] {
                return try callBuiltin(function, arguments: arguments, site: site.site, frame: frame, context: context)
            }
        } else if let descriptor = context.registry.descriptor(for: receiver) {
            if let method = site.method(in: descriptor) {
                return try callMethod(
                    method, key: descriptor, receiver: &receiver, arguments: arguments, site: site.site, frame: frame,
                    context: context)
            }
        }
        let value: Value
        do {
            value = try Members.get(receiver, name, context: context)
        } catch let error as BuiltinError {
            throw ScriptError(builtin: error, at: site.site.span)
        }
        return try call(value, arguments: arguments, site: site.site, frame: frame, context: context)
    }
}

/// A method call site: caches the method found for the last receiver type.
final class MethodSite {
    let site: CallSite
    let name: String
    private var cachedDescriptor: TypeDescriptor?
    private var cachedMethod: Method?

    init(site: CallSite, name: String) {
        self.site = site
        self.name = name
    }

    @inline(__always)
    func method(in descriptor: TypeDescriptor) -> Method? {
        if descriptor === cachedDescriptor { return cachedMethod }
        cachedDescriptor = descriptor
        cachedMethod = descriptor.methods[name]
        return cachedMethod
    }
}
