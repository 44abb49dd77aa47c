import Foundation

/// CallContext: what a builtin may use while it runs — call back into script closures, write
/// output, read input, check for interrupts. One per session; builtins never see frames.
public final class CallContext {
    public let registry: BuiltinRegistry
    public let interrupt: InterruptFlag
    public internal(set) var host: ScriptHost
    let globals: GlobalTable

    /// Current nesting of script calls, and its limit.
    var depth = 0
    var maxDepth = 100_000
    /// The lowest stack address a call may use before we report deep recursion instead of crashing.
    var stackLimit: UInt = 0

    init(registry: BuiltinRegistry, host: ScriptHost, interrupt: InterruptFlag, globals: GlobalTable) {
        self.registry = registry
        self.host = host
        self.interrupt = interrupt
        self.globals = globals
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

    /// Calls a function value with one argument (the `map`/`filter` hot path: no array is built).
    public func call(_ function: Value, _ argument: Value) throws -> Value {
        if case .function(let callable) = function, let script = scriptFunction(callable),
            script.code.parameterLocations.count == 1
        {
            return try invokeScript(script, argument, nil)
        }
        return try call(function, [argument])
    }

    /// Calls a function value with two arguments (`reduce`, `sorted(by:)`).
    public func call(_ function: Value, _ first: Value, _ second: Value) throws -> Value {
        if case .function(let callable) = function {
            if let script = scriptFunction(callable), script.code.parameterLocations.count == 2 {
                return try invokeScript(script, first, second)
            }
            // An operator passed as a function (`reduce(0, +)`): no argument matching needed.
            if let builtin = callable as? BuiltinFunction, builtin.specs.count == 2, !builtin.specs[1].isVariadic {
                var packed = Arguments(values: [first, second], parameterTypes: builtin.parameterTypes)
                return try builtin.body(&packed, self)
            }
        }
        return try call(function, [first, second])
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
    private func invokeScript(_ function: ScriptFunction, _ first: Value, _ second: Value?) throws -> Value {
        let code = function.code
        let frame = code.makeFrame(captures: function.captures)
        defer { code.recycle(frame) }
        try bind(first, parameter: 0, of: function, in: frame)
        if let second { try bind(second, parameter: 1, of: function, in: frame) }
        return try code.enter(function, frame: frame, context: self, callSpan: nil)
    }

    @inline(__always)
    private func bind(_ argument: Value, parameter index: Int, of function: ScriptFunction, in frame: Frame) throws {
        let code = function.code
        var value = argument
        if let check = code.parameterChecks[index] {
            guard let converted = check.apply(value, registry: registry) else {
                throw BuiltinError(
                    .type,
                    "cannot convert value of type '\(value.typeName)' to expected argument type '\(code.parameterTypes[index]!)' of '\(function.displayName)'"
                )
            }
            value = converted
        }
        code.store(value, parameter: index, in: frame)
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
            let frame = code.makeFrame(captures: function.captures)
            defer { code.recycle(frame) }
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
            return try code.enter(function, frame: frame, context: self, callSpan: nil)
        }
        if let builtin = callable as? BuiltinFunction {
            var values: [Value] = []
            for (index, parameter) in builtin.signature.parameters.enumerated() {
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
            if arguments.count > builtin.signature.parameters.count,
                builtin.signature.parameters.last?.isVariadic != true
            {
                throw BuiltinError(
                    .type,
                    "'\(builtin.displayName)' takes \(builtin.signature.parameters.count) arguments but \(arguments.count) were passed"
                )
            }
            var packed = Arguments(values: values, parameterTypes: builtin.parameterTypes)
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
            var packed = Arguments(values: values, parameterTypes: bound.method.parameterTypes)
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
