import Foundation
import RichDisplay

extension JSONValue {
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
