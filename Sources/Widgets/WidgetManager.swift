import Foundation
import RichDisplay

/// The widget models of one kernel session and the comm protocol around them (Jupyter widget protocol 2.1):
///
/// * code makes widgets (`create`), whose `comm_open` carries their full state, and sets traits (`update`);
/// * the front end's messages are applied at once, from any thread: `update` (echoed with `echo_update`, checked
///   trait by trait and by the rules between traits; a clamped value is sent back, a refused update is logged and
///   the front end is set back to the kernel's values), `request_state` (a full `update`), `custom` (handlers);
/// * the `jupyter.widget.control` comm answers `request_states` with every model's state (`update_states`);
/// * `notebookState()` is the notebook-level `application/vnd.jupyter.widget-state+json`.
///
/// Observers and custom handlers run on the thread that applied the change, after the lock is released: a
/// kernel queues script handlers for its session's executor rather than running them there.
public final class WidgetManager: @unchecked Sendable {
    let lock = NSLock()
    // Guarded by `lock`.
    private var widgets: [String: Widget] = [:]
    private var controlComms: Set<String> = []
    private var tokens = 0
    private var codeTransport: (any WidgetTransport)?

    /// Where refused updates and unknown messages are reported (the kernel's log).
    public let log: @Sendable (String) -> Void

    public init(log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.log = log
    }

    func withLock<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    func nextToken() -> Int {
        tokens += 1
        return tokens
    }

    /// Where messages caused by code go (`comm_open`, `update`, `comm_close`): the kernel sets it to the running
    /// cell's or handler's publisher. `nil`: widgets are made and changed in the kernel only (nothing is sent).
    public var transport: (any WidgetTransport)? {
        get { withLock { codeTransport } }
        set { withLock { codeTransport = newValue } }
    }

    /// The open widget with this id (comm id, `model_id`).
    public func widget(id: String) -> Widget? { withLock { widgets[id] } }

    // MARK: code

    /// Makes a widget: every trait at its default, then `values` (checked, with the rules between traits), a new
    /// Layout and Style model for the reference traits not given (opened first, as ipywidgets does), and opens
    /// its comm with the full state.
    public func create(_ schema: WidgetSchema, _ values: [String: JSONValue] = [:]) throws(WidgetError) -> Widget {
        var state: [String: JSONValue] = [:]
        for (name, trait) in schema.traits { state[name] = trait.defaultValue }
        for (name, value) in values {
            guard let trait = schema.traits[name] else { throw WidgetError("\(schema.name) has no trait '\(name)'") }
            state[name] = try trait.validate(value, in: schema)
        }
        try WidgetRules.apply(schema, to: &state, changed: Set(values.keys))
        for name in schema.traitNames where values[name] == nil {
            if case .reference(let referenced) = schema.traits[name]!.kind {
                state[name] = try create(referenced).reference
            }
        }
        let widget = Widget(id: Self.makeID(), schema: schema, state: state, manager: self)
        withLock {
            widgets[widget.id] = widget
            if let codeTransport {
                widget.isOpen = true
                codeTransport.openComm(
                    id: widget.id, targetName: WidgetProtocol.widgetTarget,
                    data: ["state": .object(widget.fullStateLocked), "buffer_paths": []],
                    metadata: ["version": .string(WidgetProtocol.version)])
            }
        }
        return widget
    }

    static func makeID() -> String {
        UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    }

    func setFromCode(_ widget: Widget, _ changes: [String: JSONValue]) throws(WidgetError) {
        let fired: [WidgetChange] = try withLock { () throws(WidgetError) in
            var proposed = widget.state
            for (name, value) in changes {
                guard let trait = widget.schema.traits[name] else {
                    throw WidgetError("\(widget.schema.name) has no trait '\(name)'")
                }
                proposed[name] = try trait.validate(value, in: widget.schema)
            }
            try WidgetRules.apply(widget.schema, to: &proposed, changed: Set(changes.keys))
            return commit(widget, proposed, source: .code, sendTo: codeTransport)
        }
        notify(fired)
    }

    /// Replaces the state; sends the changed traits as an `update` (when `sendTo` is given and the comm is open);
    /// returns the changes for the observers. Called with the lock held.
    private func commit(
        _ widget: Widget, _ proposed: [String: JSONValue], source: WidgetChange.Source,
        sendTo transport: (any WidgetTransport)?
    ) -> [WidgetChange] {
        var changes: [WidgetChange] = []
        var sent: [String: JSONValue] = [:]
        for (name, value) in proposed where widget.state[name] != value {
            changes.append(
                WidgetChange(
                    widget: widget, name: name, oldValue: widget.state[name] ?? .null, newValue: value, source: source))
            sent[name] = value
        }
        widget.state = proposed
        if !sent.isEmpty, widget.isOpen, let transport {
            transport.sendComm(id: widget.id, data: ["method": "update", "state": .object(sent), "buffer_paths": []])
        }
        return changes.sorted { $0.name < $1.name }
    }

    private func notify(_ changes: [WidgetChange]) {
        guard let widget = changes.first?.widget else { return }
        let observers = withLock { widget.observers }
        for change in changes {
            for observer in observers where observer.names?.contains(change.name) ?? true {
                observer.handler(change)
            }
        }
    }

    func sendFromCode(_ widget: Widget, _ data: JSONValue) {
        withLock {
            if widget.isOpen, let codeTransport { codeTransport.sendComm(id: widget.id, data: data) }
        }
    }

    func close(_ widget: Widget) {
        withLock {
            if widget.isOpen, let codeTransport { codeTransport.closeComm(id: widget.id) }
            widget.isOpen = false
            widgets[widget.id] = nil
        }
    }

    /// Changes an Output widget's outputs (and their display ids) as one `update` of `outputs`.
    func modifyOutputs(_ widget: Widget, _ body: (inout [JSONValue], inout [String?]) -> Void) {
        let fired: [WidgetChange] = withLock {
            var outputs = widget.state["outputs"]?.arrayValue ?? []
            var ids = widget.outputDisplayIDs
            if ids.count != outputs.count { ids = Array(repeating: nil, count: outputs.count) }
            body(&outputs, &ids)
            widget.outputDisplayIDs = ids
            var proposed = widget.state
            proposed["outputs"] = .array(outputs)
            return commit(widget, proposed, source: .code, sendTo: codeTransport)
        }
        notify(fired)
    }

    // MARK: the front end

    /// A `comm_open` from the front end: the control comm (protocol major version 1), or a model the front end
    /// made itself (its state checked trait by trait). `false`: not a widget target, or refused (the kernel then
    /// closes the comm).
    public func frontEndOpened(commID: String, targetName: String, data: JSONValue, metadata: JSONValue) -> Bool {
        switch targetName {
        case WidgetProtocol.controlTarget:
            let version = metadata["version"]?.stringValue ?? ""
            guard version.split(separator: ".").first == "1" else {
                log("widgets: control comm \(commID) refused: protocol version '\(version)', expected 1.x")
                return false
            }
            withLock { _ = controlComms.insert(commID) }
            return true
        case WidgetProtocol.widgetTarget:
            let sent = data["state"]?.objectValue ?? [:]
            guard let modelName = sent["_model_name"]?.stringValue, let schema = WidgetSchema.named(model: modelName)
            else {
                log("widgets: comm_open for an unknown model \(sent["_model_name"]?.stringValue ?? "?") refused")
                return false
            }
            var state: [String: JSONValue] = [:]
            for (name, trait) in schema.traits {
                state[name] = trait.defaultValue
                guard let value = sent[name] else { continue }
                do {
                    state[name] = try trait.validate(value, in: schema)
                } catch {
                    log("widgets: \(commID): \(error) (the default is kept)")
                }
            }
            let widget = Widget(id: commID, schema: schema, state: state, manager: self)
            withLock {
                widget.isOpen = true
                widgets[commID] = widget
            }
            return true
        default:
            return false
        }
    }

    /// A `comm_msg` from the front end, answered through `reply` (the publisher of that message). `false`: the
    /// comm is not a widget's (the caller logs it).
    public func frontEndMessage(commID: String, data: JSONValue, reply: any WidgetTransport) -> Bool {
        let method = data["method"]?.stringValue ?? ""
        if withLock({ controlComms.contains(commID) }) {
            if method == "request_states" {
                reply.sendComm(
                    id: commID, data: ["method": "update_states", "states": allStates(), "buffer_paths": []])
            } else {
                log("widgets: unknown control method '\(method)' ignored")
            }
            return true
        }
        guard let widget = widget(id: commID) else { return false }
        switch method {
        case "update":
            if let paths = data["buffer_paths"]?.arrayValue, !paths.isEmpty {
                log("widgets: \(commID): binary buffers are not used by Rigor's widgets; ignored")
            }
            applyFrontEndUpdate(widget, data["state"]?.objectValue ?? [:], reply: reply)
        case "request_state":
            let state = withLock { widget.fullStateLocked }
            reply.sendComm(id: commID, data: ["method": "update", "state": .object(state), "buffer_paths": []])
        case "custom":
            let content = data["content"] ?? .null
            let handlers = withLock { widget.customHandlers }
            for handler in handlers { handler.handler(content) }
        default:
            log("widgets: \(commID): unknown method '\(method)' ignored")
        }
        return true
    }

    private func applyFrontEndUpdate(_ widget: Widget, _ sent: [String: JSONValue], reply: any WidgetTransport) {
        let schema = widget.schema
        let fired: [WidgetChange] = withLock {
            var echo: [String: JSONValue] = [:]
            var accepted: [String: (trait: Trait, value: JSONValue)] = [:]
            for (name, value) in sent {
                guard let trait = schema.traits[name] else {
                    let why = schema.fixedState[name] != nil ? "cannot be changed" : "is not a trait of \(schema.name)"
                    log("widgets: \(widget.id): '\(name)' \(why); ignored")
                    continue
                }
                if trait.echoes { echo[name] = value }
                accepted[name] = (trait, value)
            }
            guard !accepted.isEmpty else { return [] }
            // As ipywidgets: the echo carries what was received, before it is checked (protocol 2.1).
            if !echo.isEmpty {
                reply.sendComm(
                    id: widget.id, data: ["method": "echo_update", "state": .object(echo), "buffer_paths": []])
            }
            var proposed = widget.state
            var validated: [String: JSONValue] = [:]
            do {
                for (name, entry) in accepted {
                    validated[name] = try entry.trait.validate(entry.value, in: schema)
                    proposed[name] = validated[name]
                }
                try WidgetRules.apply(schema, to: &proposed, changed: Set(accepted.keys))
            } catch {
                // Refused as a whole (traitlets rolls back every trait of the update); the front end, which already
                // shows the refused value, is set back to the kernel's.
                log("widgets: \(widget.id) (\(schema.name)): \(error) The update was refused.")
                var current: [String: JSONValue] = [:]
                for name in accepted.keys { current[name] = widget.state[name] }
                reply.sendComm(
                    id: widget.id, data: ["method": "update", "state": .object(current), "buffer_paths": []])
                return []
            }
            // What the rules changed (a clamped value, a value clamped by a new bound) goes back to the front end.
            var corrections: [String: JSONValue] = [:]
            for (name, value) in proposed where value != widget.state[name] && value != validated[name] {
                corrections[name] = value
            }
            for (name, value) in validated where proposed[name] != value { corrections[name] = proposed[name] }
            for (name, value) in corrections {
                log("widgets: \(widget.id) (\(schema.name)): '\(name)' set to \(value.jsonText) by the rules")
            }
            let changes = commit(widget, proposed, source: .frontEnd, sendTo: nil)
            if !corrections.isEmpty {
                reply.sendComm(
                    id: widget.id, data: ["method": "update", "state": .object(corrections), "buffer_paths": []])
            }
            return changes
        }
        notify(fired)
    }

    /// A `comm_close` from the front end: the widget stays usable from code, its comm is gone.
    public func frontEndClosed(commID: String) {
        withLock {
            controlComms.remove(commID)
            widgets.removeValue(forKey: commID)?.isOpen = false
        }
    }

    /// Whether this comm id is a widget's or a control comm.
    public func owns(commID: String) -> Bool {
        withLock { widgets[commID] != nil || controlComms.contains(commID) }
    }

    // MARK: notebook state

    private func allStates() -> JSONValue {
        withLock {
            var states: [String: JSONValue] = [:]
            for widget in widgets.values where widget.isOpen {
                states[widget.id] = [
                    "model_name": .string(widget.schema.modelName), "model_module": .string(widget.schema.modelModule),
                    "model_module_version": .string(widget.schema.modelModuleVersion),
                    "state": .object(widget.fullStateLocked),
                ]
            }
            return .object(states)
        }
    }

    /// The notebook-level widget state (`metadata.widgets["application/vnd.jupyter.widget-state+json"]`, what
    /// JupyterLab saves with "Save Widget State Automatically" and nbclient writes after `--execute`): every open
    /// model's full state, so an exported notebook shows the last values.
    public func notebookState() -> JSONValue {
        [
            "version_major": .int(WidgetProtocol.versionMajor), "version_minor": .int(WidgetProtocol.versionMinor),
            "state": allStates(),
        ]
    }
}
