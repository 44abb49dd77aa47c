/// IntFunctionKernel: a function of one or two Int parameters whose body only computes an Int (`fib`, `gcd`):
/// arithmetic and comparisons over its parameters and Int literals, `if`/`guard` … `return`, ternaries, and calls
/// of session functions of the same kind, compiled a second time to a small register bytecode over raw Ints: no
/// frame, no `Value`, no call-site dispatch. A call pushes the callee's registers on one Int stack and continues in
/// the same loop (`execute`), so a kernel's recursion does not grow the native stack.
///
/// Such a body has no effect but its result. So wherever the general path would do something else than compute an
/// Int (an overflow, a division by zero, a global that no longer holds a kernel function, the recursion limit, an
/// interrupt, a full register stack) the kernel gives up, and the outermost call runs again on the general path with
/// kernels suspended (`CallContext.intKernelsSuspended`), which reports the error with its spans and frames. Globals
/// are read at every call (late binding), the depth is counted in `CallContext.depth`, and interrupts are checked at
/// every call, as on the general path.
final class IntFunctionKernel {
    let arity: Int
    /// Whether every parameter is written without a label (`_ n: Int`), as kernel calls pass them.
    let takesPositionalArguments: Bool
    /// Registers of one call: the parameters first, then the temporaries.
    private let registerCount: Int
    private let code: UnsafeMutablePointer<IntInstruction>
    private let codeCount: Int
    /// The call sites `code` refers to (unmanaged there).
    private let sites: [IntCallSite]

    /// The kernel of a function, or nil when its body does anything else.
    init?(_ declaration: FunctionDecl) {
        let parameters = declaration.parameters
        guard (1...2).contains(parameters.count), declaration.captures.isEmpty, declaration.cellCount == 0,
            declaration.returnType.map(IntFunctionKernel.isInt) ?? true
        else { return nil }
        for (index, parameter) in parameters.enumerated() {
            guard parameter.defaultValue == nil, parameter.type.map(Self.isInt) ?? true,
                case .local(index) = parameter.location
            else { return nil }
        }
        var assembler = IntAssembler(parameterCount: parameters.count)
        if declaration.body.count == 1, let only = declaration.body[0] as? ExpressionStmt {
            guard assembler.returnValue(only.expression) else { return nil }
        } else {
            guard assembler.block(declaration.body[...]) else { return nil }
        }
        arity = parameters.count
        takesPositionalArguments = parameters.allSatisfy { $0.label == nil }
        registerCount = assembler.registerCount
        codeCount = assembler.code.count
        code = .allocate(capacity: codeCount)
        code.initialize(from: assembler.code, count: codeCount)
        sites = assembler.sites
    }

    deinit {
        code.deinitialize(count: codeCount)
        code.deallocate()
    }

    private static func isInt(_ type: TypeAnnotation) -> Bool {
        if case .named("Int") = type { return true }
        return false
    }

    /// How many runs gave up: a function that calls a builtin (`abs(n)`) always does, and after
    /// `giveUpLimit` of them its calls take the general path without trying (`isEnabled`).
    private var giveUps = 0
    private static let giveUpLimit = 8

    /// Whether calls should try the kernel.
    var isEnabled: Bool { giveUps < IntFunctionKernel.giveUpLimit }

    /// Runs the function on `a` (and `b`) as one call from the general path; nil when it gives up.
    func run(_ a: Int, _ b: Int, context: CallContext) -> Int? {
        let result = runOnce(a, b, context: context)
        if result == nil { giveUps += 1 }
        return result
    }

    @inline(__always)
    private func runOnce(_ a: Int, _ b: Int, context: CallContext) -> Int? {
        context.depth += 1
        defer { context.depth -= 1 }
        // The calls inside run in `execute`'s one loop, not on the native stack: its limit is checked here only.
        if context.depth > context.maxDepth || CallContext.stackAddress() < context.stackLimit
            || context.interrupt.isRequested
        {
            return nil
        }
        let stack = context.intKernelRegisters()
        // The first frame's link: no caller.
        stack[0] = 0
        let registers = stack + IntFunctionKernel.linkSize
        registers[0] = a
        registers[1] = b
        return IntFunctionKernel.execute(
            self, registers: registers, end: stack + CallContext.intKernelRegisterCapacity, context: context)
    }

    /// Below each frame's registers: the caller's kernel (0 for none), the caller's next instruction, and the
    /// register that takes the result.
    private static let linkSize = 3

    /// Runs `entry`'s call whose registers start at `registers`: a call pushes a frame above the caller's (its link
    /// below its registers) and continues in the same loop; nil, with the depth restored, when a kernel gives up.
    private static func execute(
        _ entry: IntFunctionKernel, registers: UnsafeMutablePointer<Int>, end: UnsafeMutablePointer<Int>,
        context: CallContext
    ) -> Int? {
        let entryDepth = context.depth
        var kernel = Unmanaged.passUnretained(entry)
        var code = entry.code
        var size = entry.registerCount
        var r = registers
        var pc = 0
        while true {
            let instruction = code[pc]
            pc &+= 1
            let a = r[Int(instruction.a)]
            let b = instruction.usesConstant ? instruction.constant : r[Int(instruction.b)]
            let returned: Int
            switch instruction.op {
            case .loadConstant:
                r[Int(instruction.destination)] = instruction.constant
                continue
            case .add:
                let (value, overflow) = a.addingReportingOverflow(b)
                if overflow { return giveUp(context, depth: entryDepth) }
                r[Int(instruction.destination)] = value
                continue
            case .subtract:
                let (value, overflow) = a.subtractingReportingOverflow(b)
                if overflow { return giveUp(context, depth: entryDepth) }
                r[Int(instruction.destination)] = value
                continue
            case .multiply:
                let (value, overflow) = a.multipliedReportingOverflow(by: b)
                if overflow { return giveUp(context, depth: entryDepth) }
                r[Int(instruction.destination)] = value
                continue
            case .divide:
                if b == 0 || (a == .min && b == -1) { return giveUp(context, depth: entryDepth) }
                r[Int(instruction.destination)] = a / b
                continue
            case .remainder:
                if b == 0 || (a == .min && b == -1) { return giveUp(context, depth: entryDepth) }
                r[Int(instruction.destination)] = a % b
                continue
            case .negate:
                if a == .min { return giveUp(context, depth: entryDepth) }
                r[Int(instruction.destination)] = -a
                continue
            case .jumpIfLess:
                if a < b { pc = Int(instruction.destination) }
                continue
            case .jumpIfLessEqual:
                if a <= b { pc = Int(instruction.destination) }
                continue
            case .jumpIfGreater:
                if a > b { pc = Int(instruction.destination) }
                continue
            case .jumpIfGreaterEqual:
                if a >= b { pc = Int(instruction.destination) }
                continue
            case .jumpIfEqual:
                if a == b { pc = Int(instruction.destination) }
                continue
            case .jumpIfNotEqual:
                if a != b { pc = Int(instruction.destination) }
                continue
            case .jump:
                pc = Int(instruction.destination)
                continue
            case .call:
                guard let callee = instruction.site.unsafelyUnwrapped._withUnsafeGuaranteedRef({ $0.kernel() }) else {
                    return giveUp(context, depth: entryDepth)
                }
                // A call of one argument `x ± c` (`fib(n - 1)`) adds the constant here.
                var argument = a
                if instruction.usesConstant {
                    let (value, overflow) = a.addingReportingOverflow(b)
                    if overflow { return giveUp(context, depth: entryDepth) }
                    argument = value
                }
                let frame = r + size + linkSize
                let calleeSize = callee._withUnsafeGuaranteedRef { $0.registerCount }
                context.depth &+= 1
                if frame + calleeSize > end || context.depth > context.maxDepth || context.interrupt.isRequested {
                    return giveUp(context, depth: entryDepth)
                }
                frame[-3] = Int(bitPattern: kernel.toOpaque())
                frame[-2] = pc
                frame[-1] = Int(instruction.destination)
                frame[0] = argument
                frame[1] = b
                kernel = callee
                code = callee._withUnsafeGuaranteedRef { $0.code }
                size = calleeSize
                r = frame
                pc = 0
                continue
            case .returnIfLess:
                if a >= b { continue }
                returned = r[Int(instruction.destination)]
            case .returnIfLessEqual:
                if a > b { continue }
                returned = r[Int(instruction.destination)]
            case .returnIfGreater:
                if a <= b { continue }
                returned = r[Int(instruction.destination)]
            case .returnIfGreaterEqual:
                if a < b { continue }
                returned = r[Int(instruction.destination)]
            case .returnIfEqual:
                if a != b { continue }
                returned = r[Int(instruction.destination)]
            case .returnIfNotEqual:
                if a == b { continue }
                returned = r[Int(instruction.destination)]
            case .returnValue:
                returned = a
            case .returnSum:
                let (value, overflow) = a.addingReportingOverflow(b)
                if overflow { return giveUp(context, depth: entryDepth) }
                returned = value
            case .returnDifference:
                let (value, overflow) = a.subtractingReportingOverflow(b)
                if overflow { return giveUp(context, depth: entryDepth) }
                returned = value
            case .returnProduct:
                let (value, overflow) = a.multipliedReportingOverflow(by: b)
                if overflow { return giveUp(context, depth: entryDepth) }
                returned = value
            }
            // A return: to the caller's frame, or out of the entry call.
            let caller = r[-3]
            if caller == 0 { return returned }
            kernel = Unmanaged.fromOpaque(UnsafeRawPointer(bitPattern: caller).unsafelyUnwrapped)
            code = kernel._withUnsafeGuaranteedRef { $0.code }
            size = kernel._withUnsafeGuaranteedRef { $0.registerCount }
            pc = r[-2]
            let destination = r[-1]
            r = r - linkSize - size
            r[destination] = returned
            context.depth &-= 1
        }
    }

    /// The general path must compute the call: the depth as it was at the entry.
    @inline(__always)
    private static func giveUp(_ context: CallContext, depth: Int) -> Int? {
        context.depth = depth
        return nil
    }
}

/// One instruction: `destination = a op b` (`b` a register, or `constant` when `usesConstant`), a conditional jump
/// to `destination`, or a call of `site` with the arguments `a` and `b`.
struct IntInstruction {
    enum Operation: UInt8 {
        case loadConstant, add, subtract, multiply, divide, remainder, negate
        case jumpIfLess, jumpIfLessEqual, jumpIfGreater, jumpIfGreaterEqual, jumpIfEqual, jumpIfNotEqual, jump
        case call, returnValue
        /// `return a op b`.
        case returnSum, returnDifference, returnProduct
        /// `if a op b { return destination }`.
        case returnIfLess, returnIfLessEqual, returnIfGreater, returnIfGreaterEqual, returnIfEqual, returnIfNotEqual
    }

    var op: Operation
    var usesConstant = false
    var destination: Int32 = 0
    var a: Int32 = 0
    var b: Int32 = 0
    var constant = 0
    var site: Unmanaged<IntCallSite>?
}

/// Compiles a body to `IntInstruction`s: each expression into a new register (freed when its parent is done),
/// each condition into jumps.
private struct IntAssembler {
    var code: [IntInstruction] = []
    var sites: [IntCallSite] = []
    /// The next free register, and the most used.
    private var next: Int
    private(set) var registerCount: Int

    init(parameterCount: Int) {
        // Two parameter registers always: a call stores both arguments.
        next = 2
        registerCount = 2
    }

    private mutating func allocate() -> Int32 {
        defer {
            next += 1
            registerCount = max(registerCount, next)
        }
        return Int32(next)
    }

    @discardableResult
    mutating func emit(
        _ op: IntInstruction.Operation, destination: Int32 = 0, a: Int32 = 0, b: Int32 = 0, constant: Int? = nil,
        site: IntCallSite? = nil
    ) -> Int {
        code.append(
            IntInstruction(
                op: op, usesConstant: constant != nil, destination: destination, a: a, b: b, constant: constant ?? 0,
                site: site.map { .passUnretained($0) }))
        return code.count - 1
    }

    // MARK: - Statements

    /// Statements that always return an Int; `if` and `guard` continue with the statements after them.
    mutating func block(_ statements: ArraySlice<Stmt>) -> Bool {
        guard let first = statements.first else { return false }
        // No register is live between statements (there are no locals but the parameters).
        next = 2
        let rest = statements.dropFirst()
        switch first.node {
        case .returnStatement(let s):
            guard let value = s.value else { return false }
            return returnValue(value)
        case .ifStatement(let s):
            if s.elseBranch == nil, s.conditions.count == 1, case .expression(let condition) = s.conditions[0],
                conditionalReturn(condition, then: s.thenBranch.statements)
            {
                return block(rest)
            }
            guard s.conditions.count == 1, case .expression(let condition) = s.conditions[0],
                let toElse = test(condition, jumpWhen: false),
                block(s.thenBranch.statements[...] + rest)
            else { return false }
            patch(toElse)
            switch s.elseBranch {
            case nil: return block(rest)
            case let branch as BlockStmt: return block(branch.statements[...] + rest)
            case let branch?: return block([branch][...] + rest)
            }
        case .guardStatement(let s):
            guard s.conditions.count == 1, case .expression(let condition) = s.conditions[0],
                let toBody = test(condition, jumpWhen: true),
                block(s.elseBranch.statements[...])
            else { return false }
            patch(toBody)
            return block(rest)
        default:
            return false
        }
    }

    /// `return value`; `return a + b` (`-`, `*`) computes and returns in one instruction.
    mutating func returnValue(_ value: Expr) -> Bool {
        if let e = value as? BinaryExpr, e.op == .plus || e.op == .minus || e.op == .star {
            guard let (left, right, constant) = operands(e) else { return false }
            let op: IntInstruction.Operation =
                e.op == .plus ? .returnSum : e.op == .minus ? .returnDifference : .returnProduct
            emit(op, a: left, b: right, constant: constant)
            return true
        }
        guard let result = integer(value) else { return false }
        emit(.returnValue, a: result)
        return true
    }

    /// `if x < 2 { return x }` with a parameter returned: one instruction that compares and returns.
    private mutating func conditionalReturn(_ condition: Expr, then statements: [Stmt]) -> Bool {
        guard statements.count == 1, let returned = statements[0] as? ReturnStmt,
            let variable = returned.value as? VariableExpr, case .local(let slot) = variable.location, slot < 2,
            let comparison = condition as? BinaryExpr
        else { return false }
        let op: IntInstruction.Operation
        switch comparison.op {
        case .less: op = .returnIfLess
        case .lessEqual: op = .returnIfLessEqual
        case .greater: op = .returnIfGreater
        case .greaterEqual: op = .returnIfGreaterEqual
        case .equalEqual: op = .returnIfEqual
        case .bangEqual: op = .returnIfNotEqual
        default: return false
        }
        let mark = next
        guard let (left, right, constant) = operands(comparison) else { return false }
        next = mark
        emit(op, destination: Int32(slot), a: left, b: right, constant: constant)
        return true
    }

    /// Points the jumps at `jumps` to the next instruction.
    private mutating func patch(_ jumps: [Int]) {
        for jump in jumps { code[jump].destination = Int32(code.count) }
    }

    // MARK: - Expressions

    /// Code that leaves the expression's value in the register returned.
    mutating func integer(_ expression: Expr) -> Int32? {
        switch expression.node {
        case .literal(let e):
            guard case .int(let c) = e.value else { return nil }
            let destination = allocate()
            emit(.loadConstant, destination: destination, constant: c)
            return destination
        case .variable(let e):
            switch e.location {
            case .local(0): return 0
            case .local(1): return 1
            default: return nil
            }
        case .unary(let e):
            guard e.op == .minus else { return nil }
            let mark = next
            guard let operand = integer(e.operand) else { return nil }
            next = mark
            let destination = allocate()
            emit(.negate, destination: destination, a: operand)
            return destination
        case .binary(let e):
            let op: IntInstruction.Operation
            switch e.op {
            case .plus: op = .add
            case .minus: op = .subtract
            case .star: op = .multiply
            case .slash: op = .divide
            case .percent: op = .remainder
            default: return nil
            }
            let mark = next
            guard let (left, right, constant) = operands(e) else { return nil }
            next = mark
            let destination = allocate()
            emit(op, destination: destination, a: left, b: right, constant: constant)
            return destination
        case .ternary(let e):
            let destination = allocate()
            let mark = next
            guard let toElse = test(e.condition, jumpWhen: false), let then = integer(e.thenBranch) else { return nil }
            emit(.add, destination: destination, a: then, constant: 0)
            let toEnd = emit(.jump)
            next = mark
            patch(toElse)
            guard let otherwise = integer(e.elseBranch) else { return nil }
            emit(.add, destination: destination, a: otherwise, constant: 0)
            patch([toEnd])
            next = mark
            return destination
        case .call(let e):
            guard let callee = e.callee as? VariableExpr, case .global(let cell) = callee.location,
                !e.hasTrailingClosure, (1...2).contains(e.arguments.count),
                e.arguments.allSatisfy({ $0.label == nil })
            else { return nil }
            let mark = next
            if e.arguments.count == 1, let (x, offset) = offsetOperand(e.arguments[0].value) {
                // `f(x ± c)`: the call adds the constant (one instruction fewer).
                next = mark
                let site = IntCallSite(cell: cell, arity: 1)
                sites.append(site)
                let destination = allocate()
                emit(.call, destination: destination, a: x, constant: offset, site: site)
                return destination
            }
            guard let first = integer(e.arguments[0].value) else { return nil }
            var second: Int32 = 0
            if e.arguments.count == 2 {
                guard let value = integer(e.arguments[1].value) else { return nil }
                second = value
            }
            next = mark
            let site = IntCallSite(cell: cell, arity: e.arguments.count)
            sites.append(site)
            let destination = allocate()
            emit(.call, destination: destination, a: first, b: second, site: site)
            return destination
        default:
            return nil
        }
    }

    /// `x + c` or `x - c` with an Int literal `c`: the register of `x` and the constant to add.
    private mutating func offsetOperand(_ expression: Expr) -> (Int32, Int)? {
        guard let e = expression as? BinaryExpr, e.op == .plus || e.op == .minus,
            let literal = e.right as? LiteralExpr, case .int(let c) = literal.value, c != .min
        else { return nil }
        let mark = next
        guard let x = integer(e.left) else {
            next = mark
            return nil
        }
        return (x, e.op == .plus ? c : -c)
    }

    /// The registers of a binary expression's operands; an Int literal on the right is read as the constant.
    private mutating func operands(_ e: BinaryExpr) -> (Int32, Int32, Int?)? {
        guard let left = integer(e.left) else { return nil }
        if let literal = e.right as? LiteralExpr, case .int(let c) = literal.value { return (left, 0, c) }
        guard let right = integer(e.right) else { return nil }
        return (left, right, nil)
    }

    /// Code that jumps when the condition is `jumpWhen`, and falls through otherwise: the jumps to patch.
    mutating func test(_ expression: Expr, jumpWhen: Bool) -> [Int]? {
        switch expression.node {
        case .unary(let e):
            guard e.op == .bang else { return nil }
            return test(e.operand, jumpWhen: !jumpWhen)
        case .binary(let e):
            switch e.op {
            case .ampAmp, .pipePipe:
                // `x && y` jumps when false if either is false; when true only if both are. (`||` the other way.)
                let isAnd = e.op == .ampAmp
                if jumpWhen != isAnd {
                    guard let left = test(e.left, jumpWhen: jumpWhen), let right = test(e.right, jumpWhen: jumpWhen)
                    else { return nil }
                    return left + right
                }
                guard let skip = test(e.left, jumpWhen: !jumpWhen) else { return nil }
                guard let jumps = test(e.right, jumpWhen: jumpWhen) else { return nil }
                patch(skip)
                return jumps
            case .less, .lessEqual, .greater, .greaterEqual, .equalEqual, .bangEqual:
                var op = e.op
                if !jumpWhen {
                    switch op {
                    case .less: op = .greaterEqual
                    case .lessEqual: op = .greater
                    case .greater: op = .lessEqual
                    case .greaterEqual: op = .less
                    case .equalEqual: op = .bangEqual
                    default: op = .equalEqual
                    }
                }
                let jump: IntInstruction.Operation
                switch op {
                case .less: jump = .jumpIfLess
                case .lessEqual: jump = .jumpIfLessEqual
                case .greater: jump = .jumpIfGreater
                case .greaterEqual: jump = .jumpIfGreaterEqual
                case .equalEqual: jump = .jumpIfEqual
                default: jump = .jumpIfNotEqual
                }
                let mark = next
                guard let (left, right, constant) = operands(e) else { return nil }
                next = mark
                return [emit(jump, a: left, b: right, constant: constant)]
            default:
                return nil
            }
        default:
            return nil
        }
    }
}

/// A call inside a kernel: the kernel of the function the global holds now, compared in place with the last.
final class IntCallSite {
    let cell: GlobalCell
    let arity: Int
    /// The function called last, kept alive here while `reference` and `lastKernel` point into it.
    private var function: ScriptFunction?
    private var reference: Unmanaged<ScriptFunction>?
    private var lastKernel: Unmanaged<IntFunctionKernel>?

    init(cell: GlobalCell, arity: Int) {
        self.cell = cell
        self.arity = arity
    }

    @inline(__always)
    func kernel() -> Unmanaged<IntFunctionKernel>? {
        if let reference, cell.value.isFunction(identicalTo: reference) { return lastKernel }
        return refresh()
    }

    /// The kernel of a function the global holds for the first time; nil if it has none of this arity.
    @inline(never)
    private func refresh() -> Unmanaged<IntFunctionKernel>? {
        guard cell.isDefined, case .function(let callable) = cell.value, let script = callable as? ScriptFunction,
            let kernel = script.code.intFunctionKernel, kernel.arity == arity, kernel.takesPositionalArguments
        else { return nil }
        function = script
        reference = .passUnretained(script)
        lastKernel = .passUnretained(kernel)
        return lastKernel
    }
}
