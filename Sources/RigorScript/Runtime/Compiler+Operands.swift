/// Binary operators whose operands are read in place: a local slot, a session global or an Int
/// literal is read inside the operator's closure (a switch on one byte) instead of through a
/// closure of its own, which costs a call, a context load and a partial-apply forwarder each.
/// `i * j`, `h[i] + round`, `a < b` in loops are one closure instead of three.
struct Operand {
    enum Kind: UInt8 {
        case slot, global, int, closure
        /// `slot op constant` (`n - 1`, `i % 3`) for `+ - * %`: computed in place when the slot holds an
        /// Int and nothing overflows, else by `evaluate` (the operator's general path and errors).
        case add, subtract, multiply, remainder
        /// `slot op slot` (`i * j`, `a + b`) for `+ - *`: computed in place by `plainValue` (the operand of
        /// `total += i * j`) when both slots hold Ints and nothing overflows, else by `evaluate`; `value` and
        /// `peekInt` treat it as `closure` (handled in place there too, the larger switch inlined into every
        /// operator cost `fib` 10 % and `element_update_top` 13 % more instructions). The second slot is in
        /// `constant`.
        case addSlots, subtractSlots, multiplySlots
    }

    let kind: Kind
    /// The slot (`.slot` and the arithmetic kinds) or the constant (`.int`).
    let index: Int
    /// The constant of the arithmetic kinds.
    private var constant = 0
    /// The global (`.global`); unowned, the compiled code keeps its table's cells alive.
    private unowned(unsafe) let cell: GlobalCell
    /// Any other expression, and a global's read with its error when it is undefined.
    let evaluate: CompiledFunction.Evaluate

    nonisolated(unsafe) private static let none = GlobalCell(name: "")

    init(slot: Int) {
        kind = .slot
        index = slot
        cell = Operand.none
        evaluate = { frame in frame.slots[slot] }
    }

    init(int: Int) {
        kind = .int
        index = int
        cell = Operand.none
        evaluate = { _ in .int(int) }
    }

    init(global: GlobalCell, read: @escaping CompiledFunction.Evaluate) {
        kind = .global
        index = 0
        cell = global
        evaluate = read
    }

    init(slot: Int, _ kind: Kind, constant: Int, general: @escaping CompiledFunction.Evaluate) {
        self.kind = kind
        index = slot
        cell = Operand.none
        self.constant = constant
        evaluate = general
    }

    init(_ evaluate: @escaping CompiledFunction.Evaluate) {
        kind = .closure
        index = 0
        cell = Operand.none
        self.evaluate = evaluate
    }

    /// The operand's Int, read in place, when reading it has no effect (a local, a defined global, a
    /// literal) and it holds an Int; nil otherwise (then `value` evaluates it, once).
    @inline(__always)
    func peekInt(_ frame: Frame) -> Int? {
        switch kind {
        case .slot:
            if case .int(let x) = frame.slots[index] { return x }
            return nil
        case .int: return index
        case .global:
            if cell.isDefined, case .int(let x) = cell.value { return x }
            return nil
        case .add:
            guard case .int(let x) = frame.slots[index] else { return nil }
            let (r, o) = x.addingReportingOverflow(constant)
            return o ? nil : r
        case .subtract:
            guard case .int(let x) = frame.slots[index] else { return nil }
            let (r, o) = x.subtractingReportingOverflow(constant)
            return o ? nil : r
        case .multiply:
            guard case .int(let x) = frame.slots[index] else { return nil }
            let (r, o) = x.multipliedReportingOverflow(by: constant)
            return o ? nil : r
        case .remainder:
            guard case .int(let x) = frame.slots[index], constant != 0, !(x == .min && constant == -1) else {
                return nil
            }
            return x % constant
        case .closure, .addSlots, .subtractSlots, .multiplySlots: return nil
        }
    }

    /// Whether `value` and `peekInt` read the operand in place, without effects: everything but `.closure` and the
    /// slot pairs, which only `plainValue` computes in place (`h[i + j]` then reads its index as before, through
    /// the closure path, not through a `peekInt` that always says nil).
    var isPure: Bool {
        switch kind {
        case .closure, .addSlots, .subtractSlots, .multiplySlots: return false
        default: return true
        }
    }

    /// The operand's value. A local or global holding a nil, Bool, Int or Double is copied without the call to
    /// `Value`'s outlined copy (`Value.copied`). It repeats `plainValue`'s switch on purpose: written as "slot and
    /// global here, `default: plainValue`" it inlined differently and cost `fib` 9 % more instructions (callgrind,
    /// 210 → 230 M for the bench program; `grid_top` +3 %).
    @inline(__always)
    func value(_ frame: Frame) throws -> Value {
        switch kind {
        case .slot: return frame.slots[index].copied
        case .int: return .int(index)
        case .global:
            if cell.isDefined { return cell.value.copied }
            return try evaluate(frame)
        // The slot pairs are computed in place only by `plainValue` (see `Kind`).
        case .closure, .addSlots, .subtractSlots, .multiplySlots: return try evaluate(frame)
        case .add:
            if case .int(let x) = frame.slots[index] {
                let (r, o) = x.addingReportingOverflow(constant)
                if !o { return .int(r) }
            }
            return try evaluate(frame)
        case .subtract:
            if case .int(let x) = frame.slots[index] {
                let (r, o) = x.subtractingReportingOverflow(constant)
                if !o { return .int(r) }
            }
            return try evaluate(frame)
        case .multiply:
            if case .int(let x) = frame.slots[index] {
                let (r, o) = x.multipliedReportingOverflow(by: constant)
                if !o { return .int(r) }
            }
            return try evaluate(frame)
        case .remainder:
            if case .int(let x) = frame.slots[index], constant != 0, !(x == .min && constant == -1) {
                return .int(x % constant)
            }
            return try evaluate(frame)
        }
    }

    /// The operand's value, a local or global copied as it is: for the closures of `x op= y`, where the operand
    /// is most often an expression (`total += i * j`) and the smaller code of this variant measured faster
    /// (callgrind: 185 against 218 instructions an iteration of `nested_loops`).
    @inline(__always)
    func plainValue(_ frame: Frame) throws -> Value {
        switch kind {
        case .slot: return frame.slots[index]
        case .int: return .int(index)
        case .global:
            if cell.isDefined { return cell.value }
            return try evaluate(frame)
        case .closure: return try evaluate(frame)
        case .add:
            if case .int(let x) = frame.slots[index] {
                let (r, o) = x.addingReportingOverflow(constant)
                if !o { return .int(r) }
            }
            return try evaluate(frame)
        case .subtract:
            if case .int(let x) = frame.slots[index] {
                let (r, o) = x.subtractingReportingOverflow(constant)
                if !o { return .int(r) }
            }
            return try evaluate(frame)
        case .multiply:
            if case .int(let x) = frame.slots[index] {
                let (r, o) = x.multipliedReportingOverflow(by: constant)
                if !o { return .int(r) }
            }
            return try evaluate(frame)
        case .remainder:
            if case .int(let x) = frame.slots[index], constant != 0, !(x == .min && constant == -1) {
                return .int(x % constant)
            }
            return try evaluate(frame)
        case .addSlots:
            if case .int(let x) = frame.slots[index], case .int(let y) = frame.slots[constant] {
                let (r, o) = x.addingReportingOverflow(y)
                if !o { return .int(r) }
            }
            return try evaluate(frame)
        case .subtractSlots:
            if case .int(let x) = frame.slots[index], case .int(let y) = frame.slots[constant] {
                let (r, o) = x.subtractingReportingOverflow(y)
                if !o { return .int(r) }
            }
            return try evaluate(frame)
        case .multiplySlots:
            if case .int(let x) = frame.slots[index], case .int(let y) = frame.slots[constant] {
                let (r, o) = x.multipliedReportingOverflow(by: y)
                if !o { return .int(r) }
            }
            return try evaluate(frame)
        }
    }
}

extension Compiler {
    /// The operand for an expression: in place for locals, globals and Int literals.
    func operand(_ expression: Expr) -> Operand {
        if let inPlace = inPlaceOperand(expression) { return inPlace }
        return Operand(compile(expression))
    }

    /// The operand for an expression already compiled to `compiled` (used when it is not in place).
    func operand(_ expression: Expr, compiled: @escaping Evaluate) -> Operand {
        if let inPlace = inPlaceOperand(expression) { return inPlace }
        return Operand(compiled)
    }

    private func inPlaceOperand(_ expression: Expr) -> Operand? {
        if let slot = Compiler.localSlot(of: expression) { return Operand(slot: slot) }
        if let literal = expression as? LiteralExpr, case .int(let i) = literal.value { return Operand(int: i) }
        if let variable = expression as? VariableExpr, case .global(let cell) = variable.location {
            return Operand(global: cell, read: globalRead(cell, span: variable.span))
        }
        if let binary = expression as? BinaryExpr, let slot = Compiler.localSlot(of: binary.left),
            let literal = binary.right as? LiteralExpr, case .int(let constant) = literal.value
        {
            let kind: Operand.Kind?
            switch binary.op {
            case .plus: kind = .add
            case .minus: kind = .subtract
            case .star: kind = .multiply
            case .percent: kind = .remainder
            default: kind = nil
            }
            if let kind { return Operand(slot: slot, kind, constant: constant, general: compile(expression)) }
        }
        if let binary = expression as? BinaryExpr, let slot = Compiler.localSlot(of: binary.left),
            let other = Compiler.localSlot(of: binary.right)
        {
            let kind: Operand.Kind?
            switch binary.op {
            case .plus: kind = .addSlots
            case .minus: kind = .subtractSlots
            case .star: kind = .multiplySlots
            default: kind = nil
            }
            if let kind { return Operand(slot: slot, kind, constant: other, general: compile(expression)) }
        }
        return nil
    }

    /// `a op b` for the arithmetic and comparison operators, operands read in place; nil for the others.
    func compileOperandBinary(_ e: BinaryExpr) -> Evaluate? {
        switch e.op {
        case .plus: return operandBinary(AddOperation.self, e)
        case .minus: return operandBinary(SubtractOperation.self, e)
        case .star: return operandBinary(MultiplyOperation.self, e)
        case .slash: return operandBinary(DivideOperation.self, e)
        case .percent: return operandBinary(RemainderOperation.self, e)
        case .less: return operandBinary(LessOperation.self, e)
        case .lessEqual: return operandBinary(LessEqualOperation.self, e)
        case .greater: return operandBinary(GreaterOperation.self, e)
        case .greaterEqual: return operandBinary(GreaterEqualOperation.self, e)
        case .equalEqual: return operandBinary(EqualOperation.self, e)
        case .bangEqual: return operandBinary(NotEqualOperation.self, e)
        default: return nil
        }
    }

    private func operandBinary<Operation: BinaryOperation>(_: Operation.Type, _ e: BinaryExpr) -> Evaluate {
        let left = operand(e.left)
        let right = operand(e.right)
        let span = e.opSpan
        return { frame in
            if let x = left.peekInt(frame), let y = right.peekInt(frame), let result = Operation.int(x, y) {
                return result
            }
            let a = try left.value(frame)
            let b = try right.value(frame)
            return try Operation.apply(a, b, span)
        }
    }
}

/// One binary operator: Int and Double fast paths inline, everything else (and every error) through
/// `Operators`, exactly as the general path of `compileBinary`.
protocol BinaryOperation {
    /// Two Ints; nil when the general path must decide (overflow, division by zero).
    static func int(_ x: Int, _ y: Int) -> Value?
    static func apply(_ a: Value, _ b: Value, _ span: SourceSpan) throws -> Value
}

enum AddOperation: BinaryOperation {
    @inline(__always)
    static func int(_ x: Int, _ y: Int) -> Value? {
        let (r, o) = x.addingReportingOverflow(y)
        return o ? nil : .int(r)
    }

    @inline(__always)
    static func apply(_ a: Value, _ b: Value, _ span: SourceSpan) throws -> Value {
        if case .int(let x) = a, case .int(let y) = b, let r = int(x, y) { return r }
        if case .double(let x) = a, case .double(let y) = b { return .double(x + y) }
        return try Operators.add(a, b, at: span)
    }
}

enum SubtractOperation: BinaryOperation {
    @inline(__always)
    static func int(_ x: Int, _ y: Int) -> Value? {
        let (r, o) = x.subtractingReportingOverflow(y)
        return o ? nil : .int(r)
    }

    @inline(__always)
    static func apply(_ a: Value, _ b: Value, _ span: SourceSpan) throws -> Value {
        if case .int(let x) = a, case .int(let y) = b, let r = int(x, y) { return r }
        if case .double(let x) = a, case .double(let y) = b { return .double(x - y) }
        return try Operators.subtract(a, b, at: span)
    }
}

enum MultiplyOperation: BinaryOperation {
    @inline(__always)
    static func int(_ x: Int, _ y: Int) -> Value? {
        let (r, o) = x.multipliedReportingOverflow(by: y)
        return o ? nil : .int(r)
    }

    @inline(__always)
    static func apply(_ a: Value, _ b: Value, _ span: SourceSpan) throws -> Value {
        if case .int(let x) = a, case .int(let y) = b, let r = int(x, y) { return r }
        if case .double(let x) = a, case .double(let y) = b { return .double(x * y) }
        return try Operators.multiply(a, b, at: span)
    }
}

enum DivideOperation: BinaryOperation {
    @inline(__always)
    static func int(_ x: Int, _ y: Int) -> Value? {
        y != 0 && !(x == .min && y == -1) ? .int(x / y) : nil
    }

    @inline(__always)
    static func apply(_ a: Value, _ b: Value, _ span: SourceSpan) throws -> Value {
        if case .int(let x) = a, case .int(let y) = b, let r = int(x, y) { return r }
        if case .double(let x) = a, case .double(let y) = b { return .double(x / y) }
        return try Operators.divide(a, b, at: span)
    }
}

enum RemainderOperation: BinaryOperation {
    @inline(__always)
    static func int(_ x: Int, _ y: Int) -> Value? {
        y != 0 && !(x == .min && y == -1) ? .int(x % y) : nil
    }

    @inline(__always)
    static func apply(_ a: Value, _ b: Value, _ span: SourceSpan) throws -> Value {
        if case .int(let x) = a, case .int(let y) = b, let r = int(x, y) { return r }
        return try Operators.remainder(a, b, at: span)
    }
}

/// The comparisons: two Ints compare in place, anything else through `Operators.compare`.
protocol ComparisonOperation: BinaryOperation {
    static var op: TokenKind { get }
    static func compare(_ x: Int, _ y: Int) -> Bool
}

extension ComparisonOperation {
    @inline(__always)
    static func int(_ x: Int, _ y: Int) -> Value? { .bool(compare(x, y)) }

    @inline(__always)
    static func apply(_ a: Value, _ b: Value, _ span: SourceSpan) throws -> Value {
        if case .int(let x) = a, case .int(let y) = b { return .bool(compare(x, y)) }
        return .bool(try Operators.compare(op, a, b, at: span))
    }
}

enum LessOperation: ComparisonOperation {
    static var op: TokenKind { .less }
    @inline(__always) static func compare(_ x: Int, _ y: Int) -> Bool { x < y }
}

enum LessEqualOperation: ComparisonOperation {
    static var op: TokenKind { .lessEqual }
    @inline(__always) static func compare(_ x: Int, _ y: Int) -> Bool { x <= y }
}

enum GreaterOperation: ComparisonOperation {
    static var op: TokenKind { .greater }
    @inline(__always) static func compare(_ x: Int, _ y: Int) -> Bool { x > y }
}

enum GreaterEqualOperation: ComparisonOperation {
    static var op: TokenKind { .greaterEqual }
    @inline(__always) static func compare(_ x: Int, _ y: Int) -> Bool { x >= y }
}

enum EqualOperation: BinaryOperation {
    @inline(__always)
    static func int(_ x: Int, _ y: Int) -> Value? { .bool(x == y) }

    @inline(__always)
    static func apply(_ a: Value, _ b: Value, _ span: SourceSpan) throws -> Value {
        if case .int(let x) = a, case .int(let y) = b { return .bool(x == y) }
        return .bool(a == b)
    }
}

enum NotEqualOperation: BinaryOperation {
    @inline(__always)
    static func int(_ x: Int, _ y: Int) -> Value? { .bool(x != y) }

    @inline(__always)
    static func apply(_ a: Value, _ b: Value, _ span: SourceSpan) throws -> Value {
        if case .int(let x) = a, case .int(let y) = b { return .bool(x != y) }
        return .bool(a != b)
    }
}
