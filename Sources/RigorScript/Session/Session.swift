/// Session: one notebook's worth of state — globals, builtins, the execution counter and the
/// source of every cell — and everything the kernel asks of the language.
///
/// A cell that has a syntax error runs nothing; statements that ran before a runtime error keep
/// their effects. Cells run on the session's executor thread, so `execute` may be called from
/// any thread, one call at a time (the kernel's shell thread); `interrupt` may be set from any
/// thread at any time.
public final class Session: @unchecked Sendable {
    public let registry: BuiltinRegistry
    /// Set from any thread to stop the running cell (`Interrupted`).
    public let interrupt: InterruptFlag
    public var host: ScriptHost {
        get { context.host }
        set { context.host = newValue }
    }
    /// The number of cells executed with history (Jupyter's `execution_count`).
    public private(set) var executionCount = 0
    /// Every executed source by name, for diagnostics that quote earlier cells.
    public private(set) var sources: [SourceName: String] = [:]

    let globals = GlobalTable()
    let context: CallContext
    private let executor = Executor()

    /// A session with the prelude; pass a registry to add libraries first (`Prelude.register`
    /// is called on it if it has not been).
    public init(host: ScriptHost = BufferedHost(), registry: BuiltinRegistry = BuiltinRegistry()) {
        self.registry = registry
        self.interrupt = InterruptFlag()
        if registry.intType == nil { Prelude.register(in: registry) }
        self.context = CallContext(registry: registry, host: host, interrupt: interrupt, globals: globals)
        context.stackLimit = executor.stackLimit
        defineRegisteredBuiltins()
        globals.loadPendingBuiltins = { [weak self] in self?.loadPendingBuiltins() ?? false }
    }

    deinit {
        globals.loadPendingBuiltins = nil
        executor.stop()
        // Functions in globals refer to the call context, which refers to the globals: break the cycle.
        globals.removeAll()
    }

    /// Makes every registered builtin function and type visible as a global (call again after
    /// registering more).
    public func defineBuiltins() {
        registry.registerPending()
        defineRegisteredBuiltins()
    }

    /// The registry's generation the globals were defined at (`loadPendingBuiltins`).
    private var builtinsGeneration = -1

    /// Defines what the registry has registered so far, leaving its lazy registrations pending.
    private func defineRegisteredBuiltins(keepingUserGlobals: Bool = false) {
        builtinsGeneration = registry.generation
        for (name, function) in registry.registeredFunctions
        where !(keepingUserGlobals && isUserGlobal(name)) {
            globals.defineBuiltin(name, .function(function))
        }
        for (name, type) in registry.registeredTypes where !(keepingUserGlobals && isUserGlobal(name)) {
            globals.defineBuiltin(name, .type(type))
        }
    }

    private func isUserGlobal(_ name: String) -> Bool {
        guard let cell = globals.cells[name] else { return false }
        return cell.isDefined && !cell.isBuiltin
    }

    /// Runs the registry's pending registrations and defines what they added (a name the user defined first stays
    /// the user's, as it would have replaced the builtin had it been registered at once); false if nothing new.
    func loadPendingBuiltins() -> Bool {
        registry.registerPending()
        guard registry.generation != builtinsGeneration else { return false }
        defineRegisteredBuiltins(keepingUserGlobals: true)
        return true
    }

    /// Registers a builtin function and makes it visible at once.
    public func register(_ function: BuiltinFunction) {
        registry.register(function)
        globals.defineBuiltin(function.signature.name, .function(function))
    }

    /// The current value of a global, if it is defined.
    public func global(_ name: String) -> Value? {
        if globals.cells[name]?.isDefined != true { _ = loadPendingBuiltins() }
        guard let cell = globals.cells[name], cell.isDefined else { return nil }
        return cell.value
    }

    /// Names the user defined (not builtins), sorted.
    public var userGlobalNames: [String] {
        globals.cells.values.filter { $0.isDefined && !$0.isBuiltin }.map(\.name).sorted()
    }

    /// The call depth at which recursion becomes an error.
    public var maximumCallDepth: Int {
        get { context.maxDepth }
        set { context.maxDepth = newValue }
    }

    // MARK: - Execution

    /// The result of running one cell.
    public struct Outcome: Sendable {
        /// The value of the last expression statement (nil if none, if it ended in `;`, or if it was nil).
        public var value: Value?
        public var error: ScriptError?
        /// The number this cell got (`In[N]`); unchanged for cells run without history.
        public var executionCount: Int
        public var sourceName: SourceName
    }

    /// Runs a notebook cell (named `In[N]`) or, with `sourceName`, a script.
    public func execute(_ code: String, sourceName: SourceName? = nil, storeHistory: Bool = true) -> Outcome {
        if storeHistory { executionCount += 1 }
        context.executionIndex += 1
        let name = sourceName ?? (storeHistory ? .cell(executionCount) : SourceName("<silent>"))
        sources[name] = code
        interrupt.clear()
        let (statements, syntaxErrors) = Parser.parse(code, source: name)
        if !syntaxErrors.isEmpty {
            return Outcome(
                value: nil, error: ScriptError(syntaxErrors), executionCount: executionCount, sourceName: name)
        }
        let resolver = Resolver(globals: globals, registry: registry)
        let wholeSpan = SourceSpan(
            source: name, start: SourcePosition(line: 1, column: 1), end: SourcePosition(line: 1, column: 1))
        let cell = resolver.resolveCell(statements, span: wholeSpan)
        if !resolver.diagnostics.isEmpty {
            let sorted = resolver.diagnostics.sorted { $0.span.start < $1.span.start }
            return Outcome(value: nil, error: ScriptError(sorted), executionCount: executionCount, sourceName: name)
        }
        let compiler = Compiler(context: context)
        let compiled = compiler.compileCell(cell)
        let context = self.context
        let count = executionCount
        let result: Outcome = executor.run {
            let frame = Frame(slotCount: compiled.frameShape.slots, cellCount: compiled.frameShape.cells, captures: [])
            context.depth = 0
            do {
                let value = try compiled.run(frame)
                return Outcome(
                    value: value.flatMap { $0.isNil ? nil : $0 }, error: nil, executionCount: count, sourceName: name)
            } catch let error as ScriptError {
                if !error.trace.isEmpty {
                    error.unwinding.frames.append(
                        TraceFrame(function: nil, location: error.pendingLocation ?? error.span))
                    error.pendingLocation = nil
                }
                return Outcome(value: nil, error: error, executionCount: count, sourceName: name)
            } catch let error as BuiltinError {
                return Outcome(
                    value: nil, error: ScriptError(builtin: error, at: wholeSpan), executionCount: count,
                    sourceName: name)
            } catch {
                return Outcome(
                    value: nil, error: ScriptError(.runtime, "\(error)", at: wholeSpan), executionCount: count,
                    sourceName: name)
            }
        }
        return result
    }

    /// Runs `body` on the session's executor thread, as a cell runs (one at a time with cells, interrupt flag
    /// cleared first): what a host uses to call back into script closures outside a cell (a widget's `onChange`
    /// handler). `body` gets the call context (`context.call(closure, value)`); its errors become the outcome's
    /// error as a cell's do, anchored at the call it names (`sourceName` in the rendering).
    public func perform(
        sourceName: SourceName = SourceName("<handler>"), _ body: @escaping (CallContext) throws -> Value?
    )
        -> Outcome
    {
        interrupt.clear()
        let context = self.context
        let count = executionCount
        let wholeSpan = SourceSpan(
            source: sourceName, start: SourcePosition(line: 1, column: 1), end: SourcePosition(line: 1, column: 1))
        return executor.run {
            context.depth = 0
            do {
                let value = try body(context)
                return Outcome(
                    value: value.flatMap { $0.isNil ? nil : $0 }, error: nil, executionCount: count,
                    sourceName: sourceName)
            } catch let error as ScriptError {
                if !error.trace.isEmpty {
                    error.unwinding.frames.append(
                        TraceFrame(function: nil, location: error.pendingLocation ?? error.span))
                    error.pendingLocation = nil
                }
                return Outcome(value: nil, error: error, executionCount: count, sourceName: sourceName)
            } catch let error as BuiltinError {
                return Outcome(
                    value: nil, error: ScriptError(builtin: error, at: wholeSpan), executionCount: count,
                    sourceName: sourceName)
            } catch {
                return Outcome(
                    value: nil, error: ScriptError(.runtime, "\(error)", at: wholeSpan), executionCount: count,
                    sourceName: sourceName)
            }
        }
    }

    /// The error as text: header, source line, carets, notes and frames.
    public func render(_ error: ScriptError, usesColor: Bool = false) -> String {
        DiagnosticRenderer(sources: sources, usesColor: usesColor).render(error)
    }
}
