// Widgets as script values (issue 14): a `WidgetObject` wraps a model of the `Widgets` target; the kernel's host
// (a `WidgetHost`) gives the session its widget manager and runs handlers after the comm message that caused them.
import Foundation
import RichDisplay
import RigorScript
import Widgets

/// What a host that talks to a widget front end gives the library: the session's widget manager, and a way to run
/// script work later, on the session, one job at a time with cells (a handler, a re-run).
/// `scheduleWidgetWork` is called from any thread (an observer runs on the thread that applied a change).
public protocol WidgetHost: AnyObject, Sendable {
    var widgetManager: WidgetManager { get }
    /// Queues `body` to run on the session after the running cell or comm message; its output goes to `output`
    /// when given, and so does an error it throws. A newer job with the same `key` replaces a queued one and
    /// interrupts a running one; a job waits `delay` before it runs (a newer one with the same key restarts the wait).
    func scheduleWidgetWork(
        key: String?, delay: Duration, output: Widget?, _ body: @escaping (CallContext) throws -> Void)
    /// Runs `body` now, inside the running cell, with its output going into `output` (`interact`'s first run): an
    /// error it throws is shown there and not rethrown, except an interrupt, which stops the cell.
    func runNow(into output: Widget, _ body: () throws -> Void) throws
}

extension WidgetHost {
    func scheduleWidgetWork(key: String?, output: Widget?, _ body: @escaping (CallContext) throws -> Void) {
        scheduleWidgetWork(key: key, delay: .zero, output: output, body)
    }
}

/// A widget in a script: `IntSlider(…)`, `Dropdown(…)`, `VBox(…)`.
final class WidgetObject: NativeObject, MIMERepresentable, ArgumentType, ScriptValueConvertible {
    /// The script types are `IntSlider`, `FloatSlider`, `FloatLogSlider`, `Checkbox`, `Text`, `Label`, `Button`,
    /// `Dropdown`, `ToggleButtons`, `Output`, `HBox` and `VBox`.
    static var scriptTypeName: String { "Widget" }
    let typeName: String
    let widget: Widget
    /// A selection's options as script values, by index (`Dropdown`, `ToggleButtons`).
    let options: [Value]
    /// A box's children, kept alive with it.
    let children: [WidgetObject]

    init(_ typeName: String, _ widget: Widget, options: [Value] = [], children: [WidgetObject] = []) {
        self.typeName = typeName
        self.widget = widget
        self.options = options
        self.children = children
    }

    var description: String { widget.description }
    var mimeBundle: MIMEBundle { widget.viewBundle }

    /// The `value` as a script value (a selection's option, not its index).
    var value: Value {
        let state = widget.value
        if !options.isEmpty {
            guard let index = widget["index"].intValue, options.indices.contains(index) else { return .nil }
            return options[index]
        }
        return Self.scriptValue(state)
    }

    static func scriptValue(_ value: JSONValue) -> Value {
        switch value {
        case .null: .nil
        case .bool(let flag): .bool(flag)
        case .int(let number): .int(number)
        case .double(let number): .double(number)
        case .string(let text): .string(text)
        case .array(let elements): .array(elements.map(scriptValue))
        case .object: .string(value.jsonText)
        }
    }

    /// Sets `value` from a script value: checked and clamped as the front end's values are.
    func setValue(_ newValue: Value) throws {
        if !options.isEmpty {
            guard let index = options.firstIndex(of: newValue) else {
                throw BuiltinError(.value, "\(newValue.debugDescription) is not one of the options of this \(typeName)")
            }
            try widgetCall { try widget.set("index", .int(index)) }
            return
        }
        let converted: JSONValue
        switch newValue {
        case .bool(let flag): converted = .bool(flag)
        case .int(let number): converted = .int(number)
        case .double(let number): converted = .double(number)
        case .string(let text): converted = .string(text)
        default:
            throw BuiltinError(.type, "cannot set a \(typeName)'s value to a value of type '\(newValue.typeName)'")
        }
        try widgetCall { try widget.set("value", converted) }
    }
}

/// Runs a call into the widget layer; its refusal (a `WidgetError`: a wrong type, a selection out of range) is the
/// script's value error.
func widgetCall<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as WidgetError {
        throw BuiltinError(.value, error.message)
    }
}

/// A script value a `@Sendable` observer may carry (it runs it on the session's work queue, never elsewhere).
final class SessionBound<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
