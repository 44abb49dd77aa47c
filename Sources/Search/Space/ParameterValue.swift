// ParameterValue: the value of one hyperparameter in a trial (a number, an integer, a string or a flag).

/// One hyperparameter's value. Choices may hold any of these; `uniform`/`logUniform` give `.double`, `int` gives `.int`.
public enum ParameterValue: Hashable, Sendable, Codable, CustomStringConvertible {
    case double(Double)
    case int(Int)
    case string(String)
    case bool(Bool)

    /// The value as a number when it is one (`.bool` is 0 or 1), for charts and surrogate models.
    public var number: Double? {
        switch self {
        case .double(let value): value
        case .int(let value): Double(value)
        case .bool(let value): value ? 1 : 0
        case .string: nil
        }
    }

    /// The value as a `Double` (`.int` converted); `nil` for strings and flags.
    public var doubleValue: Double? {
        switch self {
        case .double(let value): value
        case .int(let value): Double(value)
        default: nil
        }
    }

    /// The value as an `Int` when it is one.
    public var intValue: Int? {
        if case .int(let value) = self { return value }
        return nil
    }

    /// The value as a `String` when it is one.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The value as a `Bool` when it is one.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var description: String {
        switch self {
        case .double(let value): String(value)
        case .int(let value): String(value)
        case .string(let value): value
        case .bool(let value): String(value)
        }
    }
}

extension ParameterValue: ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral, ExpressibleByStringLiteral,
    ExpressibleByBooleanLiteral
{
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}
