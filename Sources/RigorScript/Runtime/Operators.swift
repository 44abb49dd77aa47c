import Foundation

/// Operators: the semantics of Rigor's unary and binary operators on values.
///
/// Ints stay Ints (overflow is an error, as in Swift); mixing Int and Double promotes to Double.
enum Operators {
    /// An operator on a builtin object (`tensor + 1`), if the object implements it.
    static func objectOperator(_ op: TokenKind, _ a: Value, _ b: Value, at span: SourceSpan) throws -> Value? {
        let object: NativeObject
        if case .object(let left) = a {
            object = left
        } else if case .object(let right) = b {
            object = right
        } else {
            return nil
        }
        do {
            return try object.applyBinaryOperator(op.spelling, lhs: a, rhs: b)
        } catch let error as BuiltinError {
            throw ScriptError(builtin: error, at: span)
        }
    }

    static func mismatch(_ op: TokenKind, _ a: Value, _ b: Value, at span: SourceSpan) -> ScriptError {
        var notes: [Diagnostic.Note] = []
        if op == .plus, (a.stringValue != nil) != (b.stringValue != nil) {
            notes.append(Diagnostic.Note("use interpolation to build strings: \"\\(value)\""))
        }
        return ScriptError(
            .type,
            "binary operator '\(op.spelling)' cannot be applied to operands of type '\(a.typeName)' and '\(b.typeName)'",
            at: span, notes: notes)
    }

    static func overflow(_ op: TokenKind, _ x: Int, _ y: Int, at span: SourceSpan) -> ScriptError {
        ScriptError(
            .arithmetic, "arithmetic overflow: \(x) \(op.spelling) \(y) does not fit in Int", at: span,
            notes: [Diagnostic.Note("convert to Double first if you need larger magnitudes: Double(x)")])
    }

    static func binary(_ op: TokenKind, _ a: Value, _ b: Value, at span: SourceSpan) throws -> Value {
        switch op {
        case .plus: return try add(a, b, at: span)
        case .minus: return try subtract(a, b, at: span)
        case .star: return try multiply(a, b, at: span)
        case .slash: return try divide(a, b, at: span)
        case .percent: return try remainder(a, b, at: span)
        case .equalEqual: return .bool(a == b)
        case .bangEqual: return .bool(a != b)
        case .less, .lessEqual, .greater, .greaterEqual: return .bool(try compare(op, a, b, at: span))
        default: throw mismatch(op, a, b, at: span)
        }
    }

    static func add(_ a: Value, _ b: Value, at span: SourceSpan) throws -> Value {
        switch (a, b) {
        case (.int(let x), .int(let y)):
            let (r, o) = x.addingReportingOverflow(y)
            if o { throw overflow(.plus, x, y, at: span) }
            return .int(r)
        case (.double(let x), .double(let y)): return .double(x + y)
        case (.int(let x), .double(let y)): return .double(Double(x) + y)
        case (.double(let x), .int(let y)): return .double(x + Double(y))
        case (.string(let x), .string(let y)): return .string(x + y)
        case (.array(let x), .array(let y)): return .array(x + y)
        default:
            if let result = try objectOperator(.plus, a, b, at: span) { return result }
            throw mismatch(.plus, a, b, at: span)
        }
    }

    static func subtract(_ a: Value, _ b: Value, at span: SourceSpan) throws -> Value {
        switch (a, b) {
        case (.int(let x), .int(let y)):
            let (r, o) = x.subtractingReportingOverflow(y)
            if o { throw overflow(.minus, x, y, at: span) }
            return .int(r)
        case (.double(let x), .double(let y)): return .double(x - y)
        case (.int(let x), .double(let y)): return .double(Double(x) - y)
        case (.double(let x), .int(let y)): return .double(x - Double(y))
        default:
            if let result = try objectOperator(.minus, a, b, at: span) { return result }
            throw mismatch(.minus, a, b, at: span)
        }
    }

    static func multiply(_ a: Value, _ b: Value, at span: SourceSpan) throws -> Value {
        switch (a, b) {
        case (.int(let x), .int(let y)):
            let (r, o) = x.multipliedReportingOverflow(by: y)
            if o { throw overflow(.star, x, y, at: span) }
            return .int(r)
        case (.double(let x), .double(let y)): return .double(x * y)
        case (.int(let x), .double(let y)): return .double(Double(x) * y)
        case (.double(let x), .int(let y)): return .double(x * Double(y))
        default:
            if let result = try objectOperator(.star, a, b, at: span) { return result }
            throw mismatch(.star, a, b, at: span)
        }
    }

    static func divide(_ a: Value, _ b: Value, at span: SourceSpan) throws -> Value {
        switch (a, b) {
        case (.int(let x), .int(let y)):
            if y == 0 {
                throw ScriptError(
                    .arithmetic, "division by zero", at: span,
                    notes: [Diagnostic.Note("Int division by zero is an error; Double division gives inf")])
            }
            let (r, o) = x.dividedReportingOverflow(by: y)
            if o { throw overflow(.slash, x, y, at: span) }
            return .int(r)
        case (.double(let x), .double(let y)): return .double(x / y)
        case (.int(let x), .double(let y)): return .double(Double(x) / y)
        case (.double(let x), .int(let y)): return .double(x / Double(y))
        default:
            if let result = try objectOperator(.slash, a, b, at: span) { return result }
            throw mismatch(.slash, a, b, at: span)
        }
    }

    /// Truncating remainder, as Swift's `%` (`-7 % 3 == -1`); on Doubles, `truncatingRemainder`.
    static func remainder(_ a: Value, _ b: Value, at span: SourceSpan) throws -> Value {
        switch (a, b) {
        case (.int(let x), .int(let y)):
            if y == 0 { throw ScriptError(.arithmetic, "division by zero in remainder operation", at: span) }
            let (r, o) = x.remainderReportingOverflow(dividingBy: y)
            if o { throw overflow(.percent, x, y, at: span) }
            return .int(r)
        case (.double, .double), (.double, .int), (.int, .double):
            return .double((a.doubleValue ?? .nan).truncatingRemainder(dividingBy: b.doubleValue ?? .nan))
        default:
            if let result = try objectOperator(.percent, a, b, at: span) { return result }
            throw mismatch(.percent, a, b, at: span)
        }
    }

    static func compare(_ op: TokenKind, _ a: Value, _ b: Value, at span: SourceSpan) throws -> Bool {
        let order: Int
        switch (a, b) {
        case (.int(let x), .int(let y)): order = x < y ? -1 : (x == y ? 0 : 1)
        case (.string(let x), .string(let y)): order = x < y ? -1 : (x == y ? 0 : 1)
        default:
            guard let x = a.doubleValue, let y = b.doubleValue else {
                if let result = try objectOperator(op, a, b, at: span) {
                    guard case .bool(let b) = result else {
                        throw ScriptError(
                            .type, "'\(op.spelling)' on '\(a.typeName)' gives a '\(result.typeName)', not a Bool",
                            at: span, notes: [Diagnostic.Note("comparisons in conditions must give a Bool")])
                    }
                    return b
                }
                throw mismatch(op, a, b, at: span)
            }
            if x.isNaN || y.isNaN { return false }
            order = x < y ? -1 : (x == y ? 0 : 1)
        }
        switch op {
        case .less: return order < 0
        case .lessEqual: return order <= 0
        case .greater: return order > 0
        default: return order >= 0
        }
    }

    static func negate(_ a: Value, at span: SourceSpan) throws -> Value {
        switch a {
        case .int(let x):
            if x == .min {
                throw ScriptError(.arithmetic, "arithmetic overflow: -(\(x)) does not fit in Int", at: span)
            }
            return .int(-x)
        case .double(let x): return .double(-x)
        case .object(let object):
            do {
                if let result = try object.applyNegation() { return result }
            } catch let error as BuiltinError {
                throw ScriptError(builtin: error, at: span)
            }
        default:
            break
        }
        throw ScriptError(
            .type, "unary operator '-' cannot be applied to an operand of type '\(a.typeName)'", at: span)
    }

    static func not(_ a: Value, at span: SourceSpan) throws -> Value {
        guard case .bool(let b) = a else {
            throw ScriptError(
                .type, "unary operator '!' cannot be applied to an operand of type '\(a.typeName)'", at: span)
        }
        return .bool(!b)
    }

    /// A condition must be a Bool: there is no truthiness.
    static func condition(_ value: Value, at span: SourceSpan) throws -> Bool {
        if case .bool(let b) = value { return b }
        var notes: [Diagnostic.Note] = []
        switch value {
        case .int, .double: notes.append(Diagnostic.Note("compare explicitly, e.g. 'x != 0'"))
        case .nil: notes.append(Diagnostic.Note("use 'if let x = value' or compare with 'nil'"))
        case .array, .string, .dictionaryBox: notes.append(Diagnostic.Note("did you mean '!x.isEmpty'?"))
        default: break
        }
        throw ScriptError(
            .type, "type '\(value.typeName)' cannot be used as a boolean condition", at: span, notes: notes)
    }
}
