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
    /// The body; nil while it is being compiled (recursive functions refer to themselves).
    var body: Execute = { _ in .next }
    /// A body that is a single expression returns its value (Swift's implicit return). Not an
    /// Optional: calling an optional closure goes through a reabstraction thunk.
    var singleExpression: Evaluate = { _ in .nil }
    var hasSingleExpression = false

    init(declaration: FunctionDecl, defaults: [Evaluate?]) {
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
    }

    /// Parameters in slots take the first slots (the resolver declares them first).
    private lazy var parameterSlotCount = parameterLocations.filter {
        if case .local = $0 { return true }
        return false
    }.count

    /// Frames of finished calls, reused by the next call (a call costs no allocation then).
    private var freeFrames: [Frame] = []

    @inline(__always)
    func makeFrame(captures: [Box]) -> Frame {
        if let frame = freeFrames.popLast() {
            frame.captures = captures
            return frame
        }
        return Frame(slotCount: slotCount, cellCount: cellCount, captures: captures)
    }

    @inline(__always)
    func recycle(_ frame: Frame) {
        guard cellCount == 0, freeFrames.count < 64 else { return }
        frame.reset(keepingFirst: parameterSlotCount)
        freeFrames.append(frame)
    }

    @inline(__always)
    func store(_ value: Value, parameter index: Int, in frame: Frame) {
        switch parameterLocations[index] {
        case .local(let slot): frame.slots[slot] = value
        case .cell(let cell): frame.cells[cell].value = value
        case .global, .unresolved: break  // `_` parameters
        }
    }

    /// Runs the body in a prepared frame, guarding depth, stack and interrupts, and adds this
    /// function's frame to the trace of an error passing through.
    @inline(__always)
    func enter(_ function: ScriptFunction, frame: Frame, context: CallContext, callSpan: SourceSpan?) throws -> Value {
        context.depth += 1
        defer { context.depth -= 1 }
        if context.depth > context.maxDepth || CallContext.stackAddress() < context.stackLimit {
            let message = "maximum recursion depth exceeded (\(context.depth - 1) nested calls)"
            if let callSpan {
                throw ScriptError(
                    .recursion, message, at: callSpan,
                    notes: [
                        Diagnostic.Note("check the recursion's base case, or use a loop")
                    ])
            }
            throw BuiltinError(.recursion, message)
        }
        if context.interrupt.isRequested {
            if let callSpan { throw ScriptError(.interrupted, "execution interrupted", at: callSpan) }
            throw BuiltinError(.interrupted, "execution interrupted")
        }
        do {
            var result: Value
            if hasSingleExpression {
                result = try singleExpression(frame)
            } else {
                // `return` statements convert their value themselves; only falling off the end
                // still needs the check below.
                if case .returnFromFunction = try body(frame) { return frame.returnValue }
                result = frame.returnValue
            }
            if let returnType, let returnCheck {
                guard let converted = returnCheck.apply(result, registry: context.registry) else {
                    let span = declaration.body.last?.span ?? declaration.span
                    if result.isNil && !(declaration.body.last is ReturnStmt) {
                        throw ScriptError(
                            .type, "missing return in function expected to return '\(returnType)'", at: span)
                    }
                    throw ScriptError(
                        .type,
                        "cannot convert return expression of type '\(result.typeName)' to return type '\(returnType)'",
                        at: span)
                }
                result = converted
            }
            return result
        } catch let error as ScriptError {
            error.addFrame(function: declaration.displayName)
            throw error
        }
    }
}

/// How a statement finished: normally, or by `break`, `continue` or `return`.
enum Flow {
    case next
    case breakLoop
    case continueLoop
    case returnFromFunction
}
