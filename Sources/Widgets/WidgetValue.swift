import Foundation

/// A widget trait's value as JSON: what a model's state holds and what crosses the comm. It has the cases of
/// JupyterKernel's `JSONValue` (this target imports no kernel), so the kernel converts one to the other 1:1.
public enum WidgetValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([WidgetValue])
    case object([String: WidgetValue])

    public subscript(key: String) -> WidgetValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// An `int`, or a `double` with an integral value (JavaScript has one number type).
    public var intValue: Int? {
        switch self {
        case .int(let value): value
        case .double(let value) where value.rounded() == value && abs(value) < 1e15: Int(value)
        default: nil
        }
    }

    /// A number of either kind.
    public var doubleValue: Double? {
        switch self {
        case .int(let value): Double(value)
        case .double(let value): value
        default: nil
        }
    }

    public var arrayValue: [WidgetValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    public var objectValue: [String: WidgetValue]? {
        if case .object(let members) = self { return members }
        return nil
    }

    public var isNull: Bool { self == .null }

    /// The value as Python's `repr` shows it in a widget's text form (`IntSlider(value=3, max=10)`).
    var pythonRepr: String {
        switch self {
        case .null: "None"
        case .bool(let value): value ? "True" : "False"
        case .int(let value): String(value)
        case .double(let value):
            value.rounded() == value && abs(value) < 1e16 ? String(format: "%.1f", value) : "\(value)"
        case .string(let value): "'" + value.replacingOccurrences(of: "'", with: "\\'") + "'"
        case .array(let elements):
            "(" + elements.map(\.pythonRepr).joined(separator: ", ") + (elements.count == 1 ? ",)" : ")")
        case .object(let members):
            "{" + members.keys.sorted().map { "'\($0)': \(members[$0]!.pythonRepr)" }.joined(separator: ", ") + "}"
        }
    }
}

extension WidgetValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByFloatLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(nilLiteral: ()) { self = .null }
    public init(arrayLiteral elements: WidgetValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, WidgetValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

extension WidgetValue {
    /// Parses JSON text (a MIME bundle's `application/json` or `+json` data); `nil` when it is not JSON.
    public init?(jsonText: String) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(jsonText.utf8), options: [.fragmentsAllowed])
        else { return nil }
        self.init(foundation: object)
    }

    private init(foundation object: Any) {
        switch object {
        case let string as String:
            self = .string(string)
        case let number as NSNumber:
            // Booleans are the NSNumber subclass whose Objective-C type is `c` (char).
            switch String(cString: number.objCType) {
            case "c", "B": self = .bool(number.boolValue)
            case "d", "f": self = .double(number.doubleValue)
            default: self = Int(exactly: number.int64Value).map(WidgetValue.int) ?? .double(number.doubleValue)
            }
        case let array as [Any]:
            self = .array(array.map(WidgetValue.init(foundation:)))
        case let dictionary as [String: Any]:
            self = .object(dictionary.mapValues(WidgetValue.init(foundation:)))
        default:
            self = .null
        }
    }

    /// Compact JSON text with sorted keys.
    public var jsonText: String {
        var output = ""
        write(to: &output)
        return output
    }

    private func write(to output: inout String) {
        switch self {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .int(let value): output += String(value)
        case .double(let value): output += value.isFinite ? "\(value)" : "null"
        case .string(let value): Self.writeString(value, to: &output)
        case .array(let elements):
            output += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { output += "," }
                element.write(to: &output)
            }
            output += "]"
        case .object(let members):
            output += "{"
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { output += "," }
                Self.writeString(key, to: &output)
                output += ":"
                members[key]!.write(to: &output)
            }
            output += "}"
        }
    }

    private static func writeString(_ string: String, to output: inout String) {
        output += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20: output += String(format: "\\u%04x", scalar.value)
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}
