import Foundation

/// CallContext: what a builtin may use while it runs — call back into script closures, write
/// output, read input, check for interrupts. One per session; builtins never see frames.
public final class CallContext {
    public let registry: BuiltinRegistry
    public let interrupt: InterruptFlag
    public internal(set) var host: ScriptHost
    /// How many times the session has run code (every `execute`, cells and silent runs alike): a library that says
    /// something once per cell (a rigor warning) compares it with the number it last spoke at.
    public internal(set) var executionIndex = 0
    /// State a library keeps for the session (one object per key, e.g. its type): the registry is shared by the
    /// session's calls, but what a library remembers between cells belongs here.
    public var libraryState: [ObjectIdentifier: AnyObject] = [:]
    let globals: GlobalTable

    /// Current nesting of script calls, and its limit.
    var depth = 0
    var maxDepth = 100_000
    /// Above zero while a call that an `IntFunctionKernel` gave up on runs again on the general path (which must
    /// not try the kernels again inside it).
    var intKernelsSuspended = 0
    /// The registers of `IntFunctionKernel` calls (made on first use; the pages a run never reaches stay untouched).
    private var intKernelStack: UnsafeMutablePointer<Int>?
    static let intKernelRegisterCapacity = 1 << 20

    /// The bottom of the kernels' register stack (a kernel run starts there: runs do not nest).
    func intKernelRegisters() -> UnsafeMutablePointer<Int> {
        if let intKernelStack { return intKernelStack }
        let stack = UnsafeMutablePointer<Int>.allocate(capacity: CallContext.intKernelRegisterCapacity)
        intKernelStack = stack
        return stack
    }
    /// The lowest stack address a call may use before we report deep recursion instead of crashing.
    var stackLimit: UInt = 0

    init(registry: BuiltinRegistry, host: ScriptHost, interrupt: InterruptFlag, globals: GlobalTable) {
        self.registry = registry
        self.host = host
        self.interrupt = interrupt
        self.globals = globals
    }

    deinit {
        intKernelStack?.deallocate()
    }

    /// Writes text to the script's standard output or error.
    public func write(_ text: String, to stream: OutputStreamKind = .standardOutput) {
        host.write(text, to: stream)
    }

    /// Reads a line of input through the host (`readLine(prompt:)`).
    public func readLine(prompt: String) -> String? {
        host.readLine(prompt: prompt)
    }

    /// Throws `Interrupted` if the user asked to stop; long builtins call this once per batch.
    public func checkInterrupt() throws {
        if interrupt.isRequested {
            throw BuiltinError(.interrupted, "execution interrupted")
        }
    }

    /// Calls a script function or builtin with positional arguments (labels are not part of a
    /// function value's type, as in Swift).
    public func call(_ function: Value, _ arguments: [Value]) throws -> Value {
        switch function {
        case .function(let callable):
            return try invoke(callable, positional: arguments)
        case .type(let descriptor):
            guard let initializer = descriptor.initializer else {
                throw BuiltinError(.type, "type '\(descriptor.name)' cannot be called")
            }
            return try invoke(initializer, positional: arguments)
        default:
            throw BuiltinError(.type, "cannot call value of non-function type '\(function.typeName)'")
        }
    }

    /// Calls a function value with one argument (no array is built).
    public func call(_ function: Value, _ argument: Value) throws -> Value {
        try prepare(function)(argument)
    }

    /// Calls a function value with two arguments (`reduce`, `sorted(by:)`).
    public func call(_ function: Value, _ first: Value, _ second: Value) throws -> Value {
        try prepare(function)(first, second)
    }

    /// A function value ready to be called many times (`map` calls one closure a million times):
    /// what kind of function it is is found once, here, instead of at every call.
    public func prepare(_ function: Value) -> PreparedCall {
        guard case .function(let callable) = function else {
            return PreparedCall(function: function, callable: PreparedCall.notCallable, kind: .other, context: self)
        }
        if let script = scriptFunction(callable) {
            let kind: PreparedCall.Kind
            switch script.code.parameterSlots.count {
            case 1: kind = .scriptWithOneParameter
            case 2: kind = .scriptWithTwoParameters
            default: kind = .other
            }
            return PreparedCall(function: function, callable: script, kind: kind, context: self)
        }
        if let builtin = callable as? BuiltinFunction, builtin.operatorFunction != nil {
            return PreparedCall(function: function, callable: builtin, kind: .operatorFunction, context: self)
        }
        return PreparedCall(function: function, callable: callable, kind: .other, context: self)
    }

    /// The last closure a builtin called (`map` calls the same one a million times): its identity
    /// is checked before the dynamic cast.
    private var lastScript: ScriptFunction?

    @inline(__always)
    private func scriptFunction(_ callable: Callable) -> ScriptFunction? {
        if callable === lastScript { return unsafeDowncast(callable, to: ScriptFunction.self) }
        guard let script = callable as? ScriptFunction else { return nil }
        lastScript = script
        return script
    }

    @inline(__always)
    fileprivate func bind(_ argument: Value, parameter index: Int, of function: ScriptFunction, in frame: Frame) throws
    {
        let code = function.code
        if !code.bind(argument, parameter: index, in: frame, registry: registry) {
            throw BuiltinError(
                .type,
                "cannot convert value of type '\(argument.typeName)' to expected argument type '\(code.parameterTypes[index]!)' of '\(function.displayName)'"
            )
        }
    }

    func invoke(_ callable: Callable, positional arguments: [Value]) throws -> Value {
        if let function = callable as? ScriptFunction {
            let code = function.code
            var arguments = arguments
            let count = code.parameterLocations.count
            if arguments.count > count, function.declaration.usesDollarParameters || count == 0,
                function.declaration.isClosure
            {
                arguments.removeLast(arguments.count - count)
            }
            let required = code.defaults.prefix { $0 == nil }.count
            guard arguments.count <= count, arguments.count >= min(required, count) else {
                throw BuiltinError(
                    .type,
                    "\(function.declaration.isClosure ? "closure" : "'\(function.displayName)'") takes \(count) argument\(count == 1 ? "" : "s") but \(arguments.count) \(arguments.count == 1 ? "was" : "were") passed"
                )
            }
            return try code.withFrame(for: function) { frame in
                for index in 0..<count {
                    var value: Value
                    if index < arguments.count {
                        value = arguments[index]
                    } else if let defaultValue = code.defaults[index] {
                        value = try defaultValue(frame)
                    } else {
                        value = .nil
                    }
                    if let type = code.parameterTypes[index] {
                        guard let converted = Conversions.convert(value, to: type, registry: registry) else {
                            throw BuiltinError(
                                .type,
                                "cannot convert value of type '\(value.typeName)' to expected argument type '\(type)' of '\(function.displayName)'"
                            )
                        }
                        value = converted
                    }
                    code.store(value, parameter: index, in: frame)
                }
                return try code.enter(function, frame: frame, context: self, site: nil)
            }
        }
        if let builtin = callable as? BuiltinFunction {
            var values: [Value] = []
            var positional = 0
            for parameter in builtin.signature.parameters {
                if parameter.collectsLabels {
                    // A function value's call has no labels: nothing to collect.
                    values.append(.dictionary([:]))
                    continue
                }
                let index = positional
                positional += 1
                if parameter.isVariadic {
                    values.append(.array(Array(arguments.dropFirst(index))))
                    break
                }
                if index < arguments.count {
                    values.append(arguments[index])
                } else if let defaultValue = parameter.defaultValue {
                    values.append(defaultValue)
                } else {
                    throw BuiltinError(
                        .type, "missing argument for parameter '\(parameter.name)' of '\(builtin.displayName)'")
                }
            }
            if arguments.count > positional,
                builtin.signature.parameters.last?.isVariadic != true
            {
                throw BuiltinError(
                    .type,
                    "'\(builtin.displayName)' takes \(positional) arguments but \(arguments.count) were passed"
                )
            }
            var packed = Arguments(values: values)
            return try builtin.body(&packed, self)
        }
        if let bound = callable as? BoundMethod {
            var receiver = bound.receiver
            var values = arguments
            for parameter in bound.method.signature.parameters.dropFirst(values.count) {
                guard let defaultValue = parameter.defaultValue else {
                    throw BuiltinError(.type, "missing argument for parameter '\(parameter.name)'")
                }
                values.append(defaultValue)
            }
            var packed = Arguments(values: values)
            return try bound.method.body(&receiver, &packed, self)
        }
        throw BuiltinError(.type, "value is not callable")
    }

    /// The address of the caller's stack frame, for the deep-recursion guard.
    @inline(__always)
    static func stackAddress() -> UInt {
        var marker: UInt8 = 0
        return withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
    }
}

/// A function value prepared by `CallContext.prepare(_:)` for calls from a builtin's loop. Calls
/// with one or two arguments go straight into a script function's frame (no argument array),
/// and an operator passed as a function (`reduce(0, +)`) is applied directly.
public struct PreparedCall {
    enum Kind: UInt8 {
        case scriptWithOneParameter, scriptWithTwoParameters, operatorFunction, other
    }

    /// Stands in for the callable of a value that is not a function (the call then fails as
    /// `CallContext.call` says).
    static let notCallable = Callable()

    let function: Value
    /// The function's callable, non-optional and tagged by `kind`, so a call downcasts it
    /// without copying (and retaining) an optional.
    let callable: Callable
    let kind: Kind
    let context: CallContext

    /// Calls the function with one argument.
    public func callAsFunction(_ argument: Value) throws -> Value {
        guard kind == .scriptWithOneParameter else { return try context.call(function, [argument]) }
        let script = unsafeDowncast(callable, to: ScriptFunction.self)
        let code = script.code
        let context = self.context
        if code.isLeaf && code.hasDirectParameters && TypeCheck.accepts(code.parameterKinds[0], argument),
            let result = try code.callLeaf(argument, context: context)
        {
            return result
        }
        return try code.withFrame(for: script) { frame in
            if code.hasDirectParameters && TypeCheck.accepts(code.parameterKinds[0], argument) {
                // Parameter slots hold nil between calls: initialized, not assigned.
                (frame.slots + 0).initialize(to: argument)
            } else {
                try context.bind(argument, parameter: 0, of: script, in: frame)
            }
            return try code.enter(script, frame: frame, context: context, site: nil)
        }
    }

    /// Calls the function with each element of `items`, in order, and gives `each` the element and the
    /// result (`map`, `filter`): a leaf closure (`{ $0 * 2 }`) runs in one loop over its kept frame, with
    /// no call set up per element; anything else is called element by element.
    @inline(__always)
    public func forEachResult(
        _ items: [Value], _ each: (_ element: Value, _ result: consuming Value) throws -> Void
    ) throws {
        if kind == .scriptWithOneParameter {
            let code = unsafeDowncast(callable, to: ScriptFunction.self).code
            if try code.forEachLeafResult(items, context: context, fallback: { try self($0) }, each) { return }
        }
        for item in items { try each(item, self(item)) }
    }

    /// Combines `items` into `result` with the function (`reduce`): an operator (`reduce(0, +)`) is read once and
    /// applied in one loop, Ints added in place; anything else is called element by element.
    @inline(__always)
    public func reduce(_ items: [Value], into result: inout Value) throws {
        guard kind == .operatorFunction else {
            for item in items { result = try self(result, item) }
            return
        }
        let (op, span) = unsafeDowncast(callable, to: BuiltinFunction.self).operatorFunction!
        try items.withUnsafeBufferPointer { elements in
            for index in 0..<elements.count {
                if op == .plus, case .int(let x) = result, case .int(let y) = elements[index] {
                    let (sum, overflow) = x.addingReportingOverflow(y)
                    if !overflow {
                        Value.store(int: sum, into: &result)
                        continue
                    }
                }
                result = try Compiler.applyOperatorFunction(op, result, elements[index], span: span)
            }
        }
    }

    /// Calls the function with two arguments.
    public func callAsFunction(_ first: Value, _ second: Value) throws -> Value {
        switch kind {
        case .scriptWithTwoParameters:
            let script = unsafeDowncast(callable, to: ScriptFunction.self)
            let code = script.code
            let context = self.context
            return try code.withFrame(for: script) { frame in
                if code.hasDirectParameters && TypeCheck.accepts(code.parameterKinds[0], first)
                    && TypeCheck.accepts(code.parameterKinds[1], second)
                {
                    (frame.slots + 0).initialize(to: first)
                    (frame.slots + 1).initialize(to: second)
                } else {
                    try context.bind(first, parameter: 0, of: script, in: frame)
                    try context.bind(second, parameter: 1, of: script, in: frame)
                }
                return try code.enter(script, frame: frame, context: context, site: nil)
            }
        case .operatorFunction:
            let builtin = unsafeDowncast(callable, to: BuiltinFunction.self)
            return try Compiler.applyOperatorFunction(
                builtin.operatorFunction!.op, first, second, span: builtin.operatorFunction!.span)
        default:
            if let builtin = callable as? BuiltinFunction, builtin.specs.count == 2, !builtin.specs[1].isVariadic,
                !builtin.specs.contains(where: \.collectsLabels)
            {
                var packed = Arguments(values: [first, second])
                return try builtin.body(&packed, context)
            }
            return try context.call(function, [first, second])
        }
    }
}
