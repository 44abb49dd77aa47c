/// CompiledFunction: a resolved function turned into Swift closures (closure compilation), plus
/// what a call needs to set up its frame.
final class CompiledFunction {
    typealias Evaluate = (Frame) throws -> Value
    typealias Execute = (Frame) throws -> Flow

    let declaration: FunctionDecl
    let specs: [ParameterSpec]
    let parameterLocations: [DeclarationLocation]
    let parameterTypes: [TypeAnnotation?]
    let parameterChecks: [TypeCheck?]
    let returnCheck: TypeCheck?
    let defaults: [Evaluate?]
    let returnType: TypeAnnotation?
    let slotCount: Int
    let cellCount: Int
    /// Where each parameter lives, as plain integers so a call copies nothing reference-counted:
    /// a slot (`>= 0`), a cell (`-1 - index`) or nowhere (`Int.min`, for `_`).
    let parameterSlots: [Int]
    /// The kind of each parameter's type check (`.any` for unannotated parameters): one byte,
    /// so checking `n: Int` on a call retains nothing.
    let parameterKinds: [TypeCheck.Kind]
    /// The return type's check kind (`.any` without an annotation).
    let returnKind: TypeCheck.Kind
    /// Whether every parameter `i` lives in slot `i`: arguments are then stored straight into
    /// the callee's slots.
    let hasDirectParameters: Bool
    /// Whether the function closes over variables (its frames take the captures of each call).
    let hasCaptures: Bool
    /// The body, returning the function's result. Constants (not `var`s), so calling them needs no
    /// retain of their contexts.
    let body: Evaluate
    /// Whether `body` converts its result to the return type itself (a block body: its `return`
    /// statements convert with their own spans, and falling off the end is checked where it happens);
    /// a single-expression body is checked in `enter`.
    let bodyChecksReturn: Bool

    /// A function whose body is a block of statements, compiled to give the checked result
    /// (`Compiler.compileBody`).
    convenience init(declaration: FunctionDecl, defaults: [Evaluate?], checkedBody: @escaping Evaluate) {
        self.init(declaration: declaration, defaults: defaults, body: checkedBody, bodyChecksReturn: true)
    }

    /// A function whose body is one expression, which it returns (Swift's implicit return).
    convenience init(
        declaration: FunctionDecl, defaults: [Evaluate?], singleExpression: @escaping Evaluate, isLeaf: Bool = false
    ) {
        self.init(
            declaration: declaration, defaults: defaults, body: singleExpression, bodyChecksReturn: false,
            isLeaf: isLeaf)
    }

    private init(
        declaration: FunctionDecl, defaults: [Evaluate?], body: @escaping Evaluate, bodyChecksReturn: Bool,
        isLeaf: Bool = false
    ) {
        self.body = body
        self.bodyChecksReturn = bodyChecksReturn
        self.isLeaf = isLeaf
        self.declaration = declaration
        self.specs = declaration.parameters.map {
            ParameterSpec(
                label: $0.label, name: $0.name, hasDefault: $0.defaultValue != nil, isVariadic: false,
                acceptsClosure: $0.type?.isFunction ?? false)
        }
        self.parameterLocations = declaration.parameters.map(\.location)
        self.parameterTypes = declaration.parameters.map(\.type)
        self.parameterChecks = declaration.parameters.map { $0.type.map(TypeCheck.init) }
        self.returnCheck = declaration.returnType.map(TypeCheck.init)
        self.defaults = defaults
        self.returnType = declaration.returnType
        self.slotCount = declaration.slotCount
        self.cellCount = declaration.cellCount
        self.parameterSlots = parameterLocations.map {
            switch $0 {
            case .local(let slot): return slot
            case .cell(let cell): return -1 - cell
            case .global, .unresolved: return Int.min
            }
        }
        self.parameterKinds = parameterChecks.map { $0?.kind ?? .any }
        self.returnKind = returnCheck?.kind ?? .any
        self.hasDirectParameters = parameterSlots.enumerated().allSatisfy { $0.element == $0.offset }
        self.hasCaptures = !declaration.captures.isEmpty
        if isLeaf, parameterSlots == [0], parameterKinds[0] == .any || parameterKinds[0] == .int,
            let only = declaration.body.first as? ExpressionStmt,
            let kernel = IntKernel(only.expression, parameterSlot: 0)
        {
            // The kernel's result is returned as it is: only where the return type takes it unconverted.
            switch (kernel, returnKind) {
            case (_, .any), (.int, .int), (.bool, .bool): self.intKernel = kernel
            default: self.intKernel = nil
            }
        } else {
            self.intKernel = nil
        }
        intFunctionKernel = IntFunctionKernel(declaration)
    }

    /// A single-expression body that calls nothing (`{ $0 * 2 }`, `Compiler.callsNothing`) and
    /// captures nothing: it cannot recurse or run while it runs, so `callLeaf` calls it in one frame
    /// kept for it, without the nesting level, depth and stack checks of a call.
    let isLeaf: Bool
    /// The body computed on Ints with native recursion (`fib`), for Int arguments; nil for other functions.
    let intFunctionKernel: IntFunctionKernel?
    /// A leaf body of one parameter computed on Ints (`{ $0 * 2 }`), for an Int argument; nil for other bodies.
    let intKernel: IntKernel?
    /// The leaf's frame, owned here and used through `leafFrameReference` (no retain per call).
    private var leafFrame: Frame?
    private var leafFrameReference: Unmanaged<Frame>?
    private var leafIsRunning = false

    /// Calls a leaf function of one parameter with `argument` (which its parameter takes as it is); nil
    /// when the leaf frame is in use, then the caller makes an ordinary call.
    @inline(__always)
    func callLeaf(_ argument: Value, context: CallContext) throws -> Value? {
        guard !leafIsRunning else { return nil }
        guard let reference = leafFrameReference else { return try callLeafFirst(argument, context: context) }
        if context.interrupt.isRequested { throw BuiltinError(.interrupted, "execution interrupted") }
        return try reference._withUnsafeGuaranteedRef { frame in
            leafIsRunning = true
            frame.slots.initialize(to: argument)
            let result: Value
            do {
                result = try body(frame)
            } catch {
                leafIsRunning = false
                frame.reset()
                throw leafError(error)
            }
            leafIsRunning = false
            frame.reset()
            if TypeCheck.accepts(returnKind, result) { return result }
            return try CompiledFunction.convertReturn(result, of: declaration, registry: context.registry)
        }
    }

    /// The first leaf call makes the leaf frame.
    @inline(never)
    private func callLeafFirst(_ argument: Value, context: CallContext) throws -> Value? {
        makeLeafFrame()
        return try callLeaf(argument, context: context)
    }

    @inline(never)
    private func makeLeafFrame() {
        let frame = Frame(slotCount: slotCount, cellCount: 0, captures: [])
        leafFrame = frame
        leafFrameReference = .passUnretained(frame)
    }

    /// Calls a leaf function of one parameter on every element of `items`, in order, in one loop over the
    /// kept leaf frame (what `map` and `filter` do a million times): `each` gets the element and the result.
    /// An element the parameter does not take as it is (a conversion or a type error) goes through `fallback`,
    /// an ordinary call. Interrupts are checked before every element, as on every call; an error keeps the
    /// leaf's frame in its trace. False, with nothing called, when the leaf frame is in use.
    @inline(__always)
    func forEachLeafResult(
        _ items: [Value], context: CallContext, fallback: (Value) throws -> Value,
        _ each: (Value, consuming Value) throws -> Void
    ) throws -> Bool {
        guard isLeaf, hasDirectParameters, parameterKinds.count == 1, !leafIsRunning else { return false }
        if leafFrameReference == nil { makeLeafFrame() }
        let kind = parameterKinds[0]
        let interrupt = context.interrupt
        // The kernel's closure is taken out of its enum once, here: the loop calls a local constant, which
        // copies (and retains) nothing.
        var hasKernel = true
        var isBoolKernel = false
        let intFunction: (Int) -> Int?
        let boolFunction: (Int) -> Bool?
        switch intKernel {
        case .int(let function)?:
            intFunction = function
            boolFunction = { _ in nil }
        case .bool(let function)?:
            intFunction = { _ in nil }
            boolFunction = function
            isBoolKernel = true
        case nil:
            intFunction = { _ in nil }
            boolFunction = { _ in nil }
            hasKernel = false
        }
        try leafFrameReference!._withUnsafeGuaranteedRef { frame in
            leafIsRunning = true
            defer { leafIsRunning = false }
            // The elements are read where the array stores them (no copy of each into a loop variable).
            try items.withUnsafeBufferPointer { elements in
                for index in 0..<elements.count {
                    if interrupt.isRequested { throw BuiltinError(.interrupted, "execution interrupted") }
                    // An Int element of an Int kernel: no frame; the body runs below only if the kernel gives up.
                    if hasKernel, case .int(let x) = elements[index] {
                        if isBoolKernel {
                            if let result = boolFunction(x) {
                                try each(elements[index], .bool(result))
                                continue
                            }
                        } else if let result = intFunction(x) {
                            try each(elements[index], .int(result))
                            continue
                        }
                    }
                    guard TypeCheck.accepts(kind, elements[index]) else {
                        // Not a leaf call: the leaf frame stays in use, so `fallback` takes a pooled frame.
                        try each(elements[index], fallback(elements[index]))
                        continue
                    }
                    frame.slots.initialize(to: elements[index].copied)
                    var result: Value
                    do {
                        result = try body(frame)
                    } catch {
                        frame.reset()
                        throw leafError(error)
                    }
                    frame.reset()
                    if !TypeCheck.accepts(returnKind, result) {
                        result = try CompiledFunction.convertReturn(
                            result, of: declaration, registry: context.registry)
                    }
                    try each(elements[index], result)
                }
            }
        }
        return true
    }

    /// An error leaving a leaf call, with the leaf's frame added to its trace.
    @inline(never)
    private func leafError(_ error: Error) -> Error {
        if let error = error as? ScriptError { error.addFrame(function: declaration.displayName) }
        return error
    }

    /// The frames of this function's running calls, by nesting level (recursion), kept for
    /// the next calls up to `pooledFrameLimit` levels: a call costs no allocation then.
    ///
    /// Unmanaged, so taking a frame for a call retains nothing. This is sound because the pool
    /// owns one reference to each of its frames (taken in `withFrame`, given back in `deinit`),
    /// and a frame is used only inside `withFrame`, during a call of this function, which
    /// keeps the function (and so its pool) alive.
    private var framePool: [Unmanaged<Frame>] = []
    /// How many calls of this function are running (frames are taken and given back in LIFO
    /// order: calls nest on the one executor thread, and an error unwinds them in order).
    private var activeFrames = 0
    private static let pooledFrameLimit = 64

    deinit {
        for frame in framePool { frame.release() }
    }

    /// Runs `call` with a frame for one call of this function: the pooled frame of this nesting
    /// level (its locals cleared, its boxed locals new, the captures of `function` installed),
    /// or a new one. `function` is a function value of this code.
    @inline(__always)
    func withFrame<Result>(for function: ScriptFunction, _ call: (Frame) throws -> Result) rethrows -> Result {
        let level = activeFrames
        // The first call at a nesting level makes its frame, out of line (no closure is passed there, so the
        // common path forms none).
        if level >= framePool.count { addFrame(for: function) }
        activeFrames = level + 1
        defer {
            activeFrames = level
            if level >= CompiledFunction.pooledFrameLimit { dropDeepestFrame() }
        }
        return try framePool[level]._withUnsafeGuaranteedRef { frame in
            try run(call, in: frame, for: function)
        }
    }

    /// A frame for the next nesting level. Frames deeper than `pooledFrameLimit` are in the pool only for the
    /// duration of their call (`dropDeepestFrame`).
    @inline(never)
    private func addFrame(for function: ScriptFunction) {
        framePool.append(.passRetained(Frame(slotCount: slotCount, cellCount: cellCount, captures: function.captures)))
    }

    /// Releases the frame of the deepest call, which has just ended (calls end in LIFO order, so it is the last).
    @inline(never)
    private func dropDeepestFrame() {
        framePool.removeLast().release()
    }

    /// Runs `call` in `frame` (its boxed locals new, the captures of `function` installed) and clears the
    /// frame afterwards.
    @inline(__always)
    private func run<Result>(
        _ call: (Frame) throws -> Result, in frame: Frame, for function: ScriptFunction
    )
        rethrows -> Result
    {
        if cellCount > 0 { frame.renewCells() }
        if hasCaptures { frame.captures = function.captures }
        // Every slot is cleared on the way out, arguments too: a pooled frame must not keep a caller's
        // value (a dataset, a model) alive after the call. Clearing moves the release here from the next
        // call's store, so it costs a test of each slot's tag (and a release for a reference).
        defer { frame.reset() }
        return try call(frame)
    }

    @inline(__always)
    func store(_ value: Value, parameter index: Int, in frame: Frame) {
        let slot = parameterSlots[index]
        if slot >= 0 {
            frame.slots[slot] = value
        } else if slot != Int.min {
            frame.cells[-1 - slot].value = value
        }
    }

    /// Converts an argument to parameter `index`'s type and stores it in the callee's frame;
    /// false if the value does not conform (the caller reports it, with its own span).
    @inline(__always)
    func bind(_ value: Value, parameter index: Int, in frame: Frame, registry: BuiltinRegistry) -> Bool {
        let kind = parameterKinds[index]
        if TypeCheck.accepts(kind, value) {
            store(value, parameter: index, in: frame)
            return true
        }
        guard let converted = parameterChecks[index]?.apply(value, registry: registry) else { return false }
        store(converted, parameter: index, in: frame)
        return true
    }

    /// Runs the body in a prepared frame, guarding depth, stack and interrupts, and adds this
    /// function's frame to the trace of an error passing through.
    @inline(__always)
    func enter(_ function: ScriptFunction, frame: Frame, context: CallContext, site: CallSite?) throws -> Value {
        context.depth += 1
        defer { context.depth -= 1 }
        // The call's span is read from the site only for an error (not copied on every call).
        if context.depth > context.maxDepth || CallContext.stackAddress() < context.stackLimit {
            throw recursionError(depth: context.depth, callSpan: site?.span)
        }
        if context.interrupt.isRequested { throw CompiledFunction.interruptError(callSpan: site?.span) }
        do {
            var result = try body(frame)
            if !bodyChecksReturn && !TypeCheck.accepts(returnKind, result) {
                result = try CompiledFunction.convertReturn(result, of: declaration, registry: context.registry)
            }
            return result
        } catch let error as ScriptError {
            error.addFrame(function: declaration.displayName)
            throw error
        }
    }

    /// The return value converted to the declared type (`Int` to `Double`), or the error.
    @inline(never)
    static func convertReturn(_ result: Value, of declaration: FunctionDecl, registry: BuiltinRegistry) throws -> Value
    {
        guard let returnType = declaration.returnType else { return result }
        let returnCheck = TypeCheck(returnType)
        if let converted = returnCheck.apply(result, registry: registry) { return converted }
        let span = declaration.body.last?.span ?? declaration.span
        if result.isNil && !(declaration.body.last is ReturnStmt) {
            throw ScriptError(.type, "missing return in function expected to return '\(returnType)'", at: span)
        }
        throw ScriptError(
            .type, "cannot convert return expression of type '\(result.typeName)' to return type '\(returnType)'",
            at: span)
    }

    @inline(never)
    private func recursionError(depth: Int, callSpan: SourceSpan?) -> Error {
        let message = "maximum recursion depth exceeded (\(depth - 1) nested calls)"
        if let callSpan {
            return ScriptError(
                .recursion, message, at: callSpan,
                notes: [
                    Diagnostic.Note("check the recursion's base case, or use a loop")
                ])
        }
        return BuiltinError(.recursion, message)
    }

    @inline(never)
    private static func interruptError(callSpan: SourceSpan?) -> Error {
        if let callSpan { return ScriptError(.interrupted, "execution interrupted", at: callSpan) }
        return BuiltinError(.interrupted, "execution interrupted")
    }
}

/// How a statement finished: normally, or by `break`, `continue` or `return`.
enum Flow {
    case next
    case breakLoop
    case continueLoop
    case returnFromFunction
}
