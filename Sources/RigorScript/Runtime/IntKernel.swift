/// IntKernel: a leaf function's body over its one parameter (`{ $0 * 2 }`, `{ $0 % 3 == 0 }`) compiled a second
/// time to compute on a raw Int, with no frame and no `Value` in between; `map` and `filter` run it on each Int
/// element.
///
/// A kernel answers nil for anything it does not compute as the general path would (an overflow, a division by
/// zero): the caller then runs the body itself, which reports the error at its span. Leaf bodies call nothing and
/// read only their parameter and literals, so evaluating the body after the kernel gave up repeats no effect.
enum IntKernel {
    case int((Int) -> Int?)
    case bool(Test)

    /// A Bool-valued part of the body; nil when the general path must compute it.
    typealias Test = (Int) -> Bool?

    /// The kernel of a leaf body whose parameter lives in `slot`, or nil when the body reads anything but the
    /// parameter and Int literals, or uses an operator other than `+ - * / %`, unary `-`, the comparisons, `&&`,
    /// `||` and `!`.
    init?(_ body: Expr, parameterSlot slot: Int) {
        if let term = IntKernel.integer(body, slot: slot) {
            self = .int(term.function)
        } else if let test = IntKernel.boolean(body, slot: slot) {
            self = .bool(test)
        } else {
            return nil
        }
    }

    /// The body's value for the parameter `x`, or nil when the general path must compute it.
    @inline(__always)
    func evaluate(_ x: Int) -> Value? {
        switch self {
        case .int(let function):
            if let result = function(x) { return .int(result) }
        case .bool(let function):
            if let result = function(x) { return .bool(result) }
        }
        return nil
    }

    /// An Int-valued part of the body: the parameter and constants are kept apart so that `x op constant`,
    /// the commonest shape, is one closure.
    private enum Term {
        case parameter
        case constant(Int)
        case computed((Int) -> Int?)
        /// `x op c` on the parameter, kept apart so a comparison of it (`x % 3 == 0`) is one closure.
        case parameterWithConstant((Int) -> Int?, IntArithmetic.Type, Int)

        var function: (Int) -> Int? {
            switch self {
            case .parameter: return { $0 }
            case .constant(let c): return { _ in c }
            case .computed(let function), .parameterWithConstant(let function, _, _): return function
            }
        }
    }

    private static func integer(_ expression: Expr, slot: Int) -> Term? {
        switch expression.node {
        case .literal(let e):
            if case .int(let c) = e.value { return .constant(c) }
            return nil
        case .variable(let e):
            if case .local(slot) = e.location { return .parameter }
            return nil
        case .dollar(let e):
            if case .local(slot) = e.location { return .parameter }
            return nil
        case .unary(let e):
            guard e.op == .minus, let operand = integer(e.operand, slot: slot) else { return nil }
            let function = operand.function
            return .computed { x in
                guard let a = function(x), a != .min else { return nil }
                return -a
            }
        case .binary(let e):
            guard let left = integer(e.left, slot: slot), let right = integer(e.right, slot: slot) else { return nil }
            switch e.op {
            case .plus: return combine(Add.self, left, right)
            case .minus: return combine(Subtract.self, left, right)
            case .star: return combine(Multiply.self, left, right)
            case .slash: return combine(Divide.self, left, right)
            case .percent: return combine(Remainder.self, left, right)
            default: return nil
            }
        default:
            return nil
        }
    }

    private static func boolean(_ expression: Expr, slot: Int) -> Test? {
        switch expression.node {
        case .unary(let e):
            guard e.op == .bang, let operand = boolean(e.operand, slot: slot) else { return nil }
            return { x in operand(x).map { !$0 } }
        case .binary(let e):
            switch e.op {
            case .ampAmp, .pipePipe:
                guard let left = boolean(e.left, slot: slot), let right = boolean(e.right, slot: slot) else {
                    return nil
                }
                let isAnd = e.op == .ampAmp
                return { x in
                    guard let a = left(x) else { return nil }
                    if a != isAnd { return a }
                    return right(x)
                }
            case .less: return compare(LessThan.self, e, slot: slot)
            case .lessEqual: return compare(LessEqual.self, e, slot: slot)
            case .greater: return compare(GreaterThan.self, e, slot: slot)
            case .greaterEqual: return compare(GreaterEqual.self, e, slot: slot)
            case .equalEqual: return compare(Equal.self, e, slot: slot)
            case .bangEqual: return compare(NotEqual.self, e, slot: slot)
            default: return nil
            }
        default:
            return nil
        }
    }

    /// `left op right` on Ints, specialized for a parameter or a constant on either side.
    private static func combine<Operation: IntArithmetic>(_: Operation.Type, _ left: Term, _ right: Term) -> Term {
        switch (left, right) {
        case (.constant(let a), .constant(let b)):
            if let folded = Operation.apply(a, b) { return .constant(folded) }
            return .computed { _ in nil }
        case (.parameter, .constant(let c)):
            return .parameterWithConstant({ x in Operation.apply(x, c) }, Operation.self, c)
        case (.computed(let f), .constant(let c)), (.parameterWithConstant(let f, _, _), .constant(let c)):
            return .computed { x in f(x).flatMap { Operation.apply($0, c) } }
        case (.constant(let c), .parameter):
            return .computed { x in Operation.apply(c, x) }
        default:
            let f = left.function
            let g = right.function
            return .computed { x in
                guard let a = f(x), let b = g(x) else { return nil }
                return Operation.apply(a, b)
            }
        }
    }

    /// `left op right` comparing Ints, specialized for `x op constant` and `(x op c) op constant`.
    private static func compare<Operation: IntComparison>(_: Operation.Type, _ e: BinaryExpr, slot: Int) -> Test? {
        guard let left = integer(e.left, slot: slot), let right = integer(e.right, slot: slot) else { return nil }
        switch (left, right) {
        case (.parameter, .constant(let c)):
            return { x in Operation.test(x, c) }
        case (.parameterWithConstant(_, let arithmetic, let c1), .constant(let c2)):
            return fused(arithmetic, c1, Operation.self, c2)
        case (.computed(let f), .constant(let c)):
            return { x in f(x).map { Operation.test($0, c) } }
        default:
            let f = left.function
            let g = right.function
            return { x in
                guard let a = f(x), let b = g(x) else { return nil }
                return Operation.test(a, b)
            }
        }
    }
}

extension IntKernel {
    /// `(x op1 c1) op2 c2` as one closure, both operators specialized.
    private static func fused<Comparison: IntComparison>(
        _ arithmetic: IntArithmetic.Type, _ c1: Int, _: Comparison.Type, _ c2: Int
    ) -> Test {
        func make<Arithmetic: IntArithmetic>(_: Arithmetic.Type) -> Test {
            { x in Arithmetic.apply(x, c1).map { Comparison.test($0, c2) } }
        }
        switch arithmetic {
        case is Add.Type: return make(Add.self)
        case is Subtract.Type: return make(Subtract.self)
        case is Multiply.Type: return make(Multiply.self)
        case is Divide.Type: return make(Divide.self)
        default: return make(Remainder.self)
        }
    }
}

/// An Int operator as the general path computes it (`Operators`), nil where that path reports an error.
private protocol IntArithmetic {
    static func apply(_ a: Int, _ b: Int) -> Int?
}

private protocol IntComparison {
    static func test(_ a: Int, _ b: Int) -> Bool
}

extension IntKernel {
    private enum Add: IntArithmetic {
        @inline(__always)
        static func apply(_ a: Int, _ b: Int) -> Int? {
            let (r, o) = a.addingReportingOverflow(b)
            return o ? nil : r
        }
    }

    private enum Subtract: IntArithmetic {
        @inline(__always)
        static func apply(_ a: Int, _ b: Int) -> Int? {
            let (r, o) = a.subtractingReportingOverflow(b)
            return o ? nil : r
        }
    }

    private enum Multiply: IntArithmetic {
        @inline(__always)
        static func apply(_ a: Int, _ b: Int) -> Int? {
            let (r, o) = a.multipliedReportingOverflow(by: b)
            return o ? nil : r
        }
    }

    private enum Divide: IntArithmetic {
        @inline(__always)
        static func apply(_ a: Int, _ b: Int) -> Int? {
            b == 0 || (a == .min && b == -1) ? nil : a / b
        }
    }

    private enum Remainder: IntArithmetic {
        @inline(__always)
        static func apply(_ a: Int, _ b: Int) -> Int? {
            b == 0 || (a == .min && b == -1) ? nil : a % b
        }
    }

    private enum LessThan: IntComparison {
        @inline(__always) static func test(_ a: Int, _ b: Int) -> Bool { a < b }
    }

    private enum LessEqual: IntComparison {
        @inline(__always) static func test(_ a: Int, _ b: Int) -> Bool { a <= b }
    }

    private enum GreaterThan: IntComparison {
        @inline(__always) static func test(_ a: Int, _ b: Int) -> Bool { a > b }
    }

    private enum GreaterEqual: IntComparison {
        @inline(__always) static func test(_ a: Int, _ b: Int) -> Bool { a >= b }
    }

    private enum Equal: IntComparison {
        @inline(__always) static func test(_ a: Int, _ b: Int) -> Bool { a == b }
    }

    private enum NotEqual: IntComparison {
        @inline(__always) static func test(_ a: Int, _ b: Int) -> Bool { a != b }
    }
}
