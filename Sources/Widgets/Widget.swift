import Foundation
import RichDisplay

/// One widget model in the kernel: its id (the comm id and the front end's `model_id`), its schema and its state.
/// Thread-safe: the state is changed by code (a cell or a handler, on the session's executor) and by the front end
/// (on the shell or pump thread, at once, even while a cell runs); the manager's lock orders both.
public final class Widget: @unchecked Sendable, Hashable, CustomStringConvertible {
    public let id: String
    public let schema: WidgetSchema
    public let manager: WidgetManager

    // Guarded by `manager.lock`.
    var state: [String: JSONValue]
    var isOpen = false
    var observers: [(id: Int, names: Set<String>?, handler: @Sendable (WidgetChange) -> Void)] = []
    var customHandlers: [(id: Int, handler: @Sendable (JSONValue) -> Void)] = []
    /// For an Output widget: the display id of each output (`nil` for streams and plain displays).
    var outputDisplayIDs: [String?] = []
    /// For an Output widget: `clearOutputs(wait: true)` was asked; the next output clears first.
    var clearPending = false

    init(id: String, schema: WidgetSchema, state: [String: JSONValue], manager: WidgetManager) {
        self.id = id
        self.schema = schema
        self.state = state
        self.manager = manager
    }

    public static func == (lhs: Widget, rhs: Widget) -> Bool { lhs === rhs }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }

    // MARK: state

    /// The current value of a trait (`.null` for a name the schema does not have).
    public subscript(name: String) -> JSONValue {
        manager.withLock { state[name] ?? .null }
    }

    /// The `value` trait.
    public var value: JSONValue { self["value"] }

    /// Every trait and the six model and view keys: what `comm_open`, `request_state` and `update_states` carry.
    public var fullState: [String: JSONValue] { manager.withLock { fullStateLocked } }

    var fullStateLocked: [String: JSONValue] { state.merging(schema.fixedState) { current, _ in current } }

    /// Whether the comm to the front end is open (false after `close()`, after the front end closed it, and for
    /// widgets made without a transport).
    public var isLive: Bool { manager.withLock { isOpen } }

    /// Sets one trait from code: checked as the front end's values are (wrong type, out of range: a slider's
    /// value is clamped, a selection's index refused), sent to the front end when it changed, observers called.
    public func set(_ name: String, _ value: JSONValue) throws(WidgetError) {
        try set([name: value])
    }

    /// Sets several traits at once (all or none).
    public func set(_ changes: [String: JSONValue]) throws(WidgetError) {
        try manager.setFromCode(self, changes)
    }

    /// The widget a reference trait names (`layout`, `style`).
    public func referenced(_ name: String) -> Widget? {
        guard let text = self[name].stringValue, text.hasPrefix(WidgetProtocol.referencePrefix) else { return nil }
        return manager.widget(id: String(text.dropFirst(WidgetProtocol.referencePrefix.count)))
    }

    /// How a model names this one in its state: `IPY_MODEL_<id>`.
    public var reference: JSONValue { .string(WidgetProtocol.referencePrefix + id) }

    // MARK: observers

    /// Calls `handler` after each change of the traits in `names` (every trait when `nil`), whether code or the
    /// front end made it, on the thread that made it, outside the manager's lock. Returns a token for
    /// `removeObserver`.
    @discardableResult
    public func observe(_ names: Set<String>? = nil, _ handler: @escaping @Sendable (WidgetChange) -> Void) -> Int {
        manager.withLock {
            let token = manager.nextToken()
            observers.append((token, names, handler))
            return token
        }
    }

    /// Calls `handler` with the content of each `custom` message from the front end (a button's
    /// `{"event": "click"}`, a text field's `{"event": "submit"}`).
    @discardableResult
    public func onCustomMessage(_ handler: @escaping @Sendable (JSONValue) -> Void) -> Int {
        manager.withLock {
            let token = manager.nextToken()
            customHandlers.append((token, handler))
            return token
        }
    }

    public func removeObserver(_ token: Int) {
        manager.withLock {
            observers.removeAll { $0.id == token }
            customHandlers.removeAll { $0.id == token }
        }
    }

    /// Sends a `custom` message to the front end.
    public func sendCustom(_ content: JSONValue) {
        manager.sendFromCode(self, ["method": "custom", "content": content])
    }

    /// Closes the comm (and the layout's and style's): the front end removes its views.
    public func close() { manager.close(self) }

    // MARK: display

    /// The output that shows this widget: its view (`application/vnd.jupyter.widget-view+json`) and its text form.
    public var viewBundle: MIMEBundle {
        let view: JSONValue = [
            "model_id": .string(id), "version_major": .int(WidgetProtocol.versionMajor),
            "version_minor": .int(WidgetProtocol.versionMinor),
        ]
        return MIMEBundle(data: [MIMEType.plainText: description, WidgetProtocol.viewMIMEType: view.jsonText])
    }

    /// The text form, as ipywidgets writes it: the class and the traits that differ from their defaults
    /// (`IntSlider(value=3, description='n', max=10)`).
    public var description: String {
        let current = manager.withLock { state }
        var parts: [String] = []
        let names = ["value"] + schema.traitNames.filter { $0 != "value" }
        for name in names {
            guard let trait = schema.traits[name], !name.hasPrefix("_"), let value = current[name] else { continue }
            if case .reference = trait.kind { continue }
            if name == "outputs" || name == "children" {
                if let count = value.arrayValue?.count, count > 0 { parts.append("\(name)=<\(count)>") }
                continue
            }
            if value != trait.defaultValue { parts.append("\(name)=\(value.pythonRepr)") }
        }
        return "\(schema.name)(\(parts.joined(separator: ", ")))"
    }
}

/// A change of one trait.
public struct WidgetChange: Sendable {
    public enum Source: Sendable, Equatable {
        /// Code set it (a cell or a handler).
        case code
        /// A front end sent it (`update`).
        case frontEnd
    }

    public let widget: Widget
    public let name: String
    public let oldValue: JSONValue
    public let newValue: JSONValue
    public let source: Source
}
