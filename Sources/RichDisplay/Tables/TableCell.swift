/// TableCell: one value in a table: text, an integer, a real number, a flag, or nothing.
public enum TableCell: Hashable, Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral
{
    case text(String)
    case integer(Int)
    case number(Double)
    case bool(Bool)
    case empty

    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }

    /// The numeric value, for alignment and "best" highlighting.
    public var numericValue: Double? {
        switch self {
        case .integer(let value): return Double(value)
        case .number(let value): return value.isNaN ? nil : value
        default: return nil
        }
    }

    /// The cell as shown: numbers to `significantDigits`, flags as `true`/`false`, nothing as "".
    public func formatted(significantDigits: Int) -> String {
        switch self {
        case .text(let text): return text
        case .integer(let value): return String(value)
        case .number(let value): return NumberFormat.format(value, significantDigits: significantDigits)
        case .bool(let value): return value ? "true" : "false"
        case .empty: return ""
        }
    }
}
