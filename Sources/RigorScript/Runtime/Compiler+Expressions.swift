import OrderedCollections

extension Compiler {
    func compile(_ expression: Expr) -> Evaluate {
        switch expression.node {
        case .literal(let e):
            // Numbers and Bools are built in place: returning a captured `Value` copies it
            // through its outlined copy function.
            switch e.value {
            case .int(let i): return { _ in .int(i) }
            case .double(let d): return { _ in .double(d) }
            case .bool(let b): return { _ in .bool(b) }
            default:
                let value = e.value
                return { _ in value }
            }
        case .interpolatedString(let e):
            return compileInterpolation(e)
        case .variable(let e):
            return variableRead(e.location, name: e.name, span: e.span)
        case .dollar(let e):
            return variableRead(e.location, name: "$\(e.index)", span: e.span)
        case .implicitMember(let e):
            let name = e.name
            guard let arguments = e.arguments else {
                let value = Value.implicitMember(ImplicitMember(name: name))
                return { _ in value }
            }
            let labels = arguments.map(\.label)
            let values = arguments.map { compile($0.value) }
            return { frame in
                var evaluated: [(label: String?, value: Value)] = []
                for (label, value) in zip(labels, values) { evaluated.append((label, try value(frame))) }
                return .implicitMember(ImplicitMember(name: name, arguments: evaluated))
            }
        case .operatorFunction(let e):
            let function = Value.function(Compiler.operatorFunction(e.op, span: e.span))
            return { _ in function }
        case .unary(let e):
            let operand = compile(e.operand)
            let span = e.span
            if e.op == .minus {
                return { frame in
                    let value = try operand(frame)
                    if case .double(let d) = value { return .double(-d) }
                    return try Operators.negate(value, at: span)
                }
            }
            return { frame in try Operators.not(operand(frame), at: span) }
        case .binary(let e):
            return compileBinary(e)
        case .ternary(let e):
            let condition = compile(e.condition)
            let thenBranch = compile(e.thenBranch)
            let elseBranch = compile(e.elseBranch)
            let span = e.condition.span
            return { frame in
                try Operators.condition(condition(frame), at: span) ? thenBranch(frame) : elseBranch(frame)
            }
        case .member(let e):
            let object = compile(e.object)
            let name = e.name
            let span = e.nameSpan
            let context = self.context
            if name == "count" {
                // `text.count`, `xs.count`: answered here (the prelude's `count` of strings and arrays); a
                // String's Characters are counted without walking grapheme breaks when it is ASCII.
                return { frame in
                    let value = try object(frame)
                    if case .string(let s) = value { return .int(Value.characterCount(of: s)) }
                    if case .array(let a) = value { return .int(a.count) }
                    do {
                        return try Members.get(value, name, context: context)
                    } catch let error as BuiltinError {
                        throw ScriptError(builtin: error, at: span)
                    }
                }
            }
            return { frame in
                let value = try object(frame)
                do {
                    return try Members.get(value, name, context: context)
                } catch let error as BuiltinError {
                    throw ScriptError(builtin: error, at: span)
                }
            }
        case .subscriptAccess(let e):
            let object = compile(e.object)
            let indices = e.arguments.map { compile($0.value) }
            let span = e.arguments.first.map { $0.span.through(e.arguments.last!.span) } ?? e.span
            let context = self.context
            if e.arguments.count == 2, e.arguments[1].label == "default" {
                let key = indices[0]
                let fallback = indices[1]
                return { frame in
                    let container = try object(frame)
                    let k = try key(frame)
                    do {
                        return try Members.subscriptGet(container, k, default: fallback(frame))
                    } catch let error as BuiltinError {
                        throw ScriptError(builtin: error, at: span)
                    }
                }
            }
            if indices.count == 1 {
                let index = indices[0]
                let general: Evaluate = { frame in
                    let container = try object(frame)
                    let key = try index(frame)
                    if case .array(let array) = container, case .int(let i) = key, i >= 0, i < array.count {
                        return array[i]
                    }
                    do {
                        return try Members.subscriptGet(container, [key], context: context)
                    } catch let error as BuiltinError {
                        throw ScriptError(builtin: error, at: span)
                    }
                }
                // `h[i]` on a local or global array with an index read without effects: the element is read
                // where the array is stored (no copy of the array value, no closure per operand).
                let inPlaceIndex = operand(e.arguments[0].value)
                if inPlaceIndex.isPure, let variable = e.object as? VariableExpr {
                    switch variable.location {
                    case .local(let slot):
                        return { frame in
                            if let i = inPlaceIndex.peekInt(frame), let element = frame.slots[slot].arrayElement(i) {
                                return element
                            }
                            return try general(frame)
                        }
                    case .global(let cell):
                        return { frame in
                            if cell.isDefined, let i = inPlaceIndex.peekInt(frame),
                                let element = cell.value.arrayElement(i)
                            {
                                return element
                            }
                            return try general(frame)
                        }
                    default: break
                    }
                }
                return { frame in
                    let container = try object(frame)
                    let key = try index(frame)
                    if case .array(let array) = container, case .int(let i) = key, i >= 0, i < array.count {
                        return array[i]
                    }
                    do {
                        return try Members.subscriptGet(container, [key], context: context)
                    } catch let error as BuiltinError {
                        throw ScriptError(builtin: error, at: span)
                    }
                }
            }
            return { frame in
                let container = try object(frame)
                let keys = try indices.map { try $0(frame) }
                do {
                    return try Members.subscriptGet(container, keys, context: context)
                } catch let error as BuiltinError {
                    throw ScriptError(builtin: error, at: span)
                }
            }
        case .call(let e):
            return compileCall(e)
        case .arrayLiteral(let e):
            let elements = e.elements.map(compile)
            return { frame in
                var array: [Value] = []
                array.reserveCapacity(elements.count)
                for element in elements { array.append(try element(frame)) }
                return .array(array)
            }
        case .dictionaryLiteral(let e):
            let entries = e.entries.map { (compile($0.key), compile($0.value), $0.key.span) }
            return { frame in
                var dictionary = OrderedDictionary<Value, Value>()
                for (key, value, span) in entries {
                    let k = try key(frame)
                    if dictionary[k] != nil {
                        throw ScriptError(
                            .value, "dictionary literal contains duplicate key \(k.debugDescription)", at: span)
                    }
                    dictionary[k] = try value(frame)
                }
                return .dictionary(dictionary)
            }
        case .closure(let e):
            let code = compileFunction(e.function)
            let declaration = e.function
            let captures = declaration.captures
            return { frame in
                let boxes = captures.map { source -> Box in
                    switch source {
                    case .cell(let index): return frame.cells[index]
                    case .capture(let index): return frame.captures[index]
                    }
                }
                return .function(ScriptFunction(declaration: declaration, code: code, captures: boxes))
            }
        }
    }

    func variableRead(_ location: VariableLocation, name: String, span: SourceSpan) -> Evaluate {
        switch location {
        case .local(let slot): return { frame in frame.slots[slot] }
        case .cell(let index): return { frame in frame.cells[index].value }
        case .capture(let index): return { frame in frame.captures[index].value }
        case .global(let cell): return globalRead(cell, span: span)
        case .unresolved: preconditionFailure("unresolved variable \(name)")
        }
    }

    /// `"item \(i) is \(i * 2)"`: the text is written as UTF-8 into a stack buffer (`UTF8Builder`) and
    /// becomes one String. The literal pieces live in one byte array; each step is a range of it or the
    /// number of an expression (`start < 0`), plain integers, so walking the steps retains nothing.
    private func compileInterpolation(_ e: InterpolatedStringExpr) -> Evaluate {
        if Compiler.isShortInterpolation(e) { return compileShortInterpolation(e) }
        var literal: [UInt8] = []
        var steps: [(start: Int, end: Int)] = []
        var expressions: [Evaluate] = []
        for part in e.parts {
            switch part {
            case .text(let text):
                let start = literal.count
                literal.append(contentsOf: text.utf8)
                steps.append((start, literal.count))
            case .expression(let expression):
                steps.append((-1 - expressions.count, 0))
                expressions.append(compile(expression))
            }
        }
        // The first expressions are separate closures, called directly (see `ArgumentList`).
        let missing: Evaluate = { _ in .nil }
        let first = expressions.count > 0 ? expressions[0] : missing
        let second = expressions.count > 1 ? expressions[1] : missing
        let third = expressions.count > 2 ? expressions[2] : missing
        let rest = Array(expressions.dropFirst(3))
        return { frame in
            .string(
                try UTF8Builder.build { builder in
                    try literal.withUnsafeBufferPointer { text in
                        for step in steps {
                            if step.start >= 0 {
                                builder.append(UnsafeBufferPointer(rebasing: text[step.start..<step.end]))
                                continue
                            }
                            let index = -1 - step.start
                            switch index {
                            case 0: builder.append(try first(frame))
                            case 1: builder.append(try second(frame))
                            case 2: builder.append(try third(frame))
                            default: builder.append(try rest[index - 3](frame))
                            }
                        }
                    }
                })
        }
    }

    /// An interpolation of at most three expressions (`"item \(i) is \(i * 2); "`): the values are
    /// evaluated (left to right), their lengths added up, and the text written straight into the
    /// storage of the new String, which is allocated once (or not at all when it fits in 15 bytes).
    private func compileShortInterpolation(_ e: InterpolatedStringExpr) -> Evaluate {
        let interpolation = shortInterpolation(e)
        return { frame in try interpolation.evaluate(frame) }
    }

    /// Whether the interpolation has at most three expressions (`ShortInterpolation`).
    static func isShortInterpolation(_ e: InterpolatedStringExpr) -> Bool {
        e.parts.filter {
            if case .expression = $0 { return true }
            return false
        }.count <= 3
    }

    /// The literal text and operands of an interpolation of at most three expressions.
    func shortInterpolation(_ e: InterpolatedStringExpr) -> ShortInterpolation {
        var literal: [UInt8] = []
        // The text before expression 0, between 0 and 1, between 1 and 2, after the last one.
        var texts: [(start: Int, end: Int)] = [(0, 0)]
        var operands: [Operand] = []
        for part in e.parts {
            switch part {
            case .text(let text):
                literal.append(contentsOf: text.utf8)
                texts[texts.count - 1].end = literal.count
            case .expression(let expression):
                operands.append(operand(expression))
                texts.append((literal.count, literal.count))
            }
        }
        return ShortInterpolation(literal: literal, texts: texts, operands: operands)
    }

    private func compileBinary(_ e: BinaryExpr) -> Evaluate {
        if let literal = e.right as? LiteralExpr, case .int(let constant) = literal.value,
            let specialized = compileIntConstantOperation(e, constant: constant)
        {
            return specialized
        }
        if Compiler.isInPlaceOperand(e.left) || Compiler.isInPlaceOperand(e.right),
            let inPlace = compileOperandBinary(e)
        {
            return inPlace
        }
        let left = compile(e.left)
        let right = compile(e.right)
        let span = e.opSpan
        switch e.op {
        case .ampAmp, .pipePipe:
            let isAnd = e.op == .ampAmp
            let leftSpan = e.left.span
            let rightSpan = e.right.span
            return { frame in
                let a = try Operators.condition(left(frame), at: leftSpan)
                if a != isAnd { return .bool(a) }
                return .bool(try Operators.condition(right(frame), at: rightSpan))
            }
        case .questionQuestion:
            return { frame in
                let value = try left(frame)
                return value.isNil ? try right(frame) : value
            }
        case .halfOpenRange, .closedRange:
            let closed = e.op == .closedRange
            return { frame in
                let a = try left(frame)
                let b = try right(frame)
                guard case .int(let lower) = a, case .int(let upper) = b else {
                    throw ScriptError(
                        .type, "range bounds must be Int, not '\(a.typeName)' and '\(b.typeName)'", at: span,
                        notes: [Diagnostic.Note("for evenly spaced Doubles use stride(from:to:by:)")])
                }
                guard lower <= upper || (!closed && lower <= upper) else {
                    throw ScriptError(
                        .value, "range requires lowerBound <= upperBound, but \(lower) > \(upper)", at: span,
                        notes: [Diagnostic.Note("to count down use stride(from: \(lower), through: \(upper), by: -1)")])
                }
                return .range(RangeValue(lower: lower, upper: upper, isClosed: closed))
            }
        case .plus:
            return { frame in
                let a = try left(frame)
                let b = try right(frame)
                if case .int(let x) = a, case .int(let y) = b {
                    let (r, o) = x.addingReportingOverflow(y)
                    if !o { return .int(r) }
                }
                if case .double(let x) = a, case .double(let y) = b { return .double(x + y) }
                return try Operators.add(a, b, at: span)
            }
        case .minus:
            return { frame in
                let a = try left(frame)
                let b = try right(frame)
                if case .int(let x) = a, case .int(let y) = b {
                    let (r, o) = x.subtractingReportingOverflow(y)
                    if !o { return .int(r) }
                }
                if case .double(let x) = a, case .double(let y) = b { return .double(x - y) }
                return try Operators.subtract(a, b, at: span)
            }
        case .star:
            return { frame in
                let a = try left(frame)
                let b = try right(frame)
                if case .int(let x) = a, case .int(let y) = b {
                    let (r, o) = x.multipliedReportingOverflow(by: y)
                    if !o { return .int(r) }
                }
                if case .double(let x) = a, case .double(let y) = b { return .double(x * y) }
                return try Operators.multiply(a, b, at: span)
            }
        case .slash:
            return { frame in
                let a = try left(frame)
                let b = try right(frame)
                if case .int(let x) = a, case .int(let y) = b, y != 0, !(x == .min && y == -1) { return .int(x / y) }
                if case .double(let x) = a, case .double(let y) = b { return .double(x / y) }
                return try Operators.divide(a, b, at: span)
            }
        case .percent:
            return { frame in
                let a = try left(frame)
                let b = try right(frame)
                if case .int(let x) = a, case .int(let y) = b, y != 0, !(x == .min && y == -1) { return .int(x % y) }
                return try Operators.remainder(a, b, at: span)
            }
        case .less, .lessEqual, .greater, .greaterEqual:
            let op = e.op
            return { frame in
                let a = try left(frame)
                let b = try right(frame)
                if case .int(let x) = a, case .int(let y) = b {
                    switch op {
                    case .less: return .bool(x < y)
                    case .lessEqual: return .bool(x <= y)
                    case .greater: return .bool(x > y)
                    default: return .bool(x >= y)
                    }
                }
                return .bool(try Operators.compare(op, a, b, at: span))
            }
        case .equalEqual:
            return { frame in
                let a = try left(frame)
                let b = try right(frame)
                if case .int(let x) = a, case .int(let y) = b { return .bool(x == y) }
                return .bool(a == b)
            }
        case .bangEqual:
            return { frame in .bool(try left(frame) != right(frame)) }
        default:
            let op = e.op
            return { frame in try Operators.binary(op, left(frame), right(frame), at: span) }
        }
    }

    /// `x op 2`, the commonest shape of arithmetic and comparisons (`n - 1`, `i % 3 == 0`,
    /// `n < 2`): the Int literal is not evaluated through a closure, and a local variable on the
    /// left is read in place. Other operand types take the general path of the operator.
    private func compileIntConstantOperation(_ e: BinaryExpr, constant: Int) -> Evaluate? {
        switch e.op {
        case .plus: return intConstantOperation(AddConstant.self, e, constant)
        case .minus: return intConstantOperation(SubtractConstant.self, e, constant)
        case .star: return intConstantOperation(MultiplyConstant.self, e, constant)
        case .percent: return intConstantOperation(RemainderConstant.self, e, constant)
        case .less: return intConstantOperation(LessThanConstant.self, e, constant)
        case .lessEqual: return intConstantOperation(LessEqualConstant.self, e, constant)
        case .greater: return intConstantOperation(GreaterThanConstant.self, e, constant)
        case .greaterEqual: return intConstantOperation(GreaterEqualConstant.self, e, constant)
        case .equalEqual: return intConstantOperation(EqualConstant.self, e, constant)
        case .bangEqual: return intConstantOperation(NotEqualConstant.self, e, constant)
        default: return nil
        }
    }

    /// One operator's `x op constant` (specialized per operator by the optimizer).
    private func intConstantOperation<Operation: IntConstantOperation>(
        _: Operation.Type, _ e: BinaryExpr, _ constant: Int
    ) -> Evaluate {
        let span = e.opSpan
        let op = e.op
        if let slot = Compiler.localSlot(of: e.left) {
            return { frame in
                if case .int(let x) = frame.slots[slot], let result = Operation.apply(x, constant) { return result }
                return try Operators.binary(op, frame.slots[slot], .int(constant), at: span)
            }
        }
        let left = operand(e.left)
        return { frame in
            let a = try left.value(frame)
            if case .int(let x) = a, let result = Operation.apply(x, constant) { return result }
            return try Operators.binary(op, a, .int(constant), at: span)
        }
    }

    /// A condition `x < 2` on a local variable and an Int literal (`<`, `<=`, `>`, `>=`, `==`,
    /// `!=`), tested in place: no Bool value is built and unpacked. Nil for other conditions.
    func compileIntConstantComparison(_ expression: Expr) -> ((Frame) throws -> Bool)? {
        guard let test = IntConstantTest(expression) else { return nil }
        return { frame in try test.evaluate(frame) }
    }

    /// Whether an operand is read in place by `Operand` (a local, a global, an Int literal).
    static func isInPlaceOperand(_ expression: Expr) -> Bool {
        if localSlot(of: expression) != nil { return true }
        if let literal = expression as? LiteralExpr, case .int = literal.value { return true }
        if let variable = expression as? VariableExpr, case .global = variable.location { return true }
        return false
    }

    /// The frame slot of a plain local variable or `$0`-style parameter, read in place.
    static func localSlot(of expression: Expr) -> Int? {
        if let variable = expression as? VariableExpr, case .local(let slot) = variable.location { return slot }
        if let dollar = expression as? DollarExpr, case .local(let slot) = dollar.location { return slot }
        return nil
    }

    /// `+` as a function value, for `reduce(0, +)`.
    static func operatorFunction(_ op: TokenKind, span: SourceSpan) -> BuiltinFunction {
        let signature = Signature(
            op.spelling, [.init(nil, "lhs"), .init(nil, "rhs")], returns: "Any",
            doc: "The '\(op.spelling)' operator as a function.")
        let function = BuiltinFunction(signature) { arguments, _ in
            try applyOperatorFunction(op, arguments.values[0], arguments.values[1], span: span)
        }
        function.operatorFunction = (op, span)
        return function
    }

    /// What an operator passed as a function does with its two arguments.
    @inline(__always)
    static func applyOperatorFunction(_ op: TokenKind, _ lhs: Value, _ rhs: Value, span: SourceSpan) throws -> Value {
        if op == .plus, case .int(let x) = lhs, case .int(let y) = rhs {
            let (r, o) = x.addingReportingOverflow(y)
            if !o { return .int(r) }
        }
        switch op {
        case .ampAmp, .pipePipe:
            guard case .bool(let a) = lhs, case .bool(let b) = rhs else {
                throw BuiltinError(.type, "'\(op.spelling)' needs Bool operands")
            }
            return .bool(op == .ampAmp ? a && b : a || b)
        default:
            do {
                return try Operators.binary(op, lhs, rhs, at: span)
            } catch let error as ScriptError {
                throw BuiltinError(error.kind, error.message)
            }
        }
    }
}

/// An operator applied to an Int and an Int constant: the result, or nil when the general path
/// must decide (overflow, division by zero), which then reports the error.
protocol IntConstantOperation {
    static func apply(_ x: Int, _ constant: Int) -> Value?
}

enum AddConstant: IntConstantOperation {
    @inline(__always)
    static func apply(_ x: Int, _ constant: Int) -> Value? {
        let (r, o) = x.addingReportingOverflow(constant)
        return o ? nil : .int(r)
    }
}

enum SubtractConstant: IntConstantOperation {
    @inline(__always)
    static func apply(_ x: Int, _ constant: Int) -> Value? {
        let (r, o) = x.subtractingReportingOverflow(constant)
        return o ? nil : .int(r)
    }
}

enum MultiplyConstant: IntConstantOperation {
    @inline(__always)
    static func apply(_ x: Int, _ constant: Int) -> Value? {
        let (r, o) = x.multipliedReportingOverflow(by: constant)
        return o ? nil : .int(r)
    }
}

enum RemainderConstant: IntConstantOperation {
    @inline(__always)
    static func apply(_ x: Int, _ constant: Int) -> Value? {
        constant == 0 || (x == .min && constant == -1) ? nil : .int(x % constant)
    }
}

enum LessThanConstant: IntConstantOperation {
    @inline(__always)
    static func apply(_ x: Int, _ constant: Int) -> Value? { .bool(x < constant) }
}

enum LessEqualConstant: IntConstantOperation {
    @inline(__always)
    static func apply(_ x: Int, _ constant: Int) -> Value? { .bool(x <= constant) }
}

enum GreaterThanConstant: IntConstantOperation {
    @inline(__always)
    static func apply(_ x: Int, _ constant: Int) -> Value? { .bool(x > constant) }
}

enum GreaterEqualConstant: IntConstantOperation {
    @inline(__always)
    static func apply(_ x: Int, _ constant: Int) -> Value? { .bool(x >= constant) }
}

enum EqualConstant: IntConstantOperation {
    @inline(__always)
    static func apply(_ x: Int, _ constant: Int) -> Value? { .bool(x == constant) }
}

enum NotEqualConstant: IntConstantOperation {
    @inline(__always)
    static func apply(_ x: Int, _ constant: Int) -> Value? { .bool(x != constant) }
}

/// A comparison of a local variable with an Int literal (`n < 2`, `i % 3 == 0` is not one: the
/// left side must be a variable), evaluated in place by the closures of conditions and `if`s.
struct IntConstantTest {
    let slot: Int
    let constant: Int
    let op: TokenKind
    /// For the general path and its errors.
    let expression: BinaryExpr

    init?(_ expression: Expr) {
        guard let binary = expression as? BinaryExpr, let literal = binary.right as? LiteralExpr,
            case .int(let constant) = literal.value, let slot = Compiler.localSlot(of: binary.left)
        else { return nil }
        switch binary.op {
        case .less, .lessEqual, .greater, .greaterEqual, .equalEqual, .bangEqual: break
        default: return nil
        }
        self.slot = slot
        self.constant = constant
        self.op = binary.op
        self.expression = binary
    }

    @inline(__always)
    func evaluate(_ frame: Frame) throws -> Bool {
        if case .int(let x) = frame.slots[slot] {
            switch op {
            case .less: return x < constant
            case .lessEqual: return x <= constant
            case .greater: return x > constant
            case .greaterEqual: return x >= constant
            case .equalEqual: return x == constant
            default: return x != constant
            }
        }
        return try evaluateInGeneral(frame)
    }

    /// Any other value on the left: the operator's general semantics and errors.
    @inline(never)
    private func evaluateInGeneral(_ frame: Frame) throws -> Bool {
        let value = try Operators.binary(op, frame.slots[slot], .int(constant), at: expression.opSpan)
        return try Operators.condition(value, at: expression.span)
    }
}
