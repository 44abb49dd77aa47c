import Foundation
import JupyterKernel
import RichDisplay
import RigorLibrary
import RigorScript
import Widgets

@testable import RigorKernel

/// A value that is not Sendable, carried into a `@Sendable` observer (the kernel runs it on the work queue).
final class Carried<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// A widget as a script value in these tests (the library's widget values come with the builtins).
final class TestWidgetValue: NativeObject, MIMERepresentable {
    let widget: Widget
    init(_ widget: Widget) { self.widget = widget }
    var typeName: String { "TestWidget" }
    var description: String { widget.description }
    var mimeBundle: MIMEBundle { widget.viewBundle }
}

extension Value: @retroactive ScriptValueConvertible {}

/// Test builtins over the widget layer (what the library's widget builtins do, reduced):
///
/// * `slider(onChange)`: an IntSlider (value 3, max 10, "n"); `onChange(value)` runs for each front-end change;
/// * `button(onClick)`: a Button "Run"; `onClick()` runs for each click;
/// * `explore(body)`: a slider and an Output widget; `body(value)` runs (debounced, latest only) into the output;
/// * `sliderValue(id)`, `setSlider(id, value)`, `closeWidget(id)`, `widgetID(widget)`.
func registerTestWidgetBuiltins(on interpreter: RigorInterpreter) {
    let registry = interpreter.session.registry
    let widgets = interpreter.widgets
    registry.function(
        "slider", Arg<Value>(nil, "onChange"), returns: "TestWidget", doc: "a test slider"
    ) { _, handler -> Value in
        let slider = try widgets.create(.intSlider, ["value": 3, "max": 10, "description": "n"])
        let carried = Carried(handler)
        slider.observe(["value"]) { [weak interpreter] change in
            guard change.source == .frontEnd, let interpreter else { return }
            interpreter.scheduleScript { context in
                try context.call(carried.value, .int(change.newValue.intValue ?? 0))
            }
        }
        return .object(TestWidgetValue(slider))
    }
    registry.function(
        "button", Arg<Value>(nil, "onClick"), returns: "TestWidget", doc: "a test button"
    ) { _, handler -> Value in
        let button = try widgets.create(.button, ["description": "Run"])
        let carried = Carried(handler)
        button.onCustomMessage { [weak interpreter] content in
            guard content["event"] == "click", let interpreter else { return }
            interpreter.scheduleScript { context in try context.call(carried.value, []) }
        }
        return .object(TestWidgetValue(button))
    }
    registry.function(
        "explore", Arg<Value>(nil, "body"), returns: "TestWidget", doc: "a slider and an output, interact-style"
    ) { _, body -> Value in
        let slider = try widgets.create(.intSlider, ["value": 0, "max": 10])
        let output = try widgets.create(.output)
        let box = try widgets.create(.vBox, ["children": [slider.reference, output.reference]])
        let carried = Carried(body)
        slider.observe(["value"]) { [weak interpreter] change in
            guard let interpreter else { return }
            interpreter.scheduleScript(key: box.id, delay: .milliseconds(20), output: output) { context in
                output.clearOutputs(wait: true)
                return try context.call(carried.value, .int(change.newValue.intValue ?? 0))
            }
        }
        return .object(TestWidgetValue(box))
    }
    registry.function("widgetID", Arg<Value>(nil, "widget"), returns: "String", doc: "a test widget's id") {
        _, value -> String in
        guard case .object(let object) = value, let widget = object as? TestWidgetValue else { return "" }
        return widget.widget.id
    }
    registry.function("sliderValue", Arg<String>(nil, "id"), returns: "Int", doc: "a widget's value") {
        _, id -> Int in
        widgets.widget(id: id)?.value.intValue ?? -1
    }
    registry.function("setSlider", Arg<String>(nil, "id"), Arg<Int>(nil, "value"), doc: "sets a widget's value") {
        _, id, value in
        do {
            try widgets.widget(id: id)?.set("value", .int(value))
        } catch let error as WidgetError {
            throw BuiltinError(.value, error.message)
        }
    }
    registry.function("closeWidget", Arg<String>(nil, "id"), doc: "closes a widget") { _, id in
        widgets.widget(id: id)?.close()
    }
    interpreter.session.defineBuiltins()
}

extension NotebookClient {
    /// A notebook whose session has the test widget builtins.
    static func withWidgets() -> NotebookClient {
        NotebookClient { interpreter in registerTestWidgetBuiltins(on: interpreter) }
    }

    /// Sends a comm message; returns the request.
    @discardableResult
    func comm(_ type: String, id: String, data: JSONValue = [:], metadata: JSONValue = [:]) -> Message {
        var content: JSONValue = ["comm_id": .string(id), "data": data]
        if type == "comm_open", case .object(var members) = content {
            members["target_name"] = data["target_name"] ?? ""
            members["data"] = [:]
            content = .object(members)
        }
        return send(type, content, metadata: metadata)
    }

    /// Every iopub message of `request` until its `idles`-th idle (a widget handler runs after the comm
    /// message's own idle, with busy … idle of its own), status messages left out.
    func messages(of request: Message, idles: Int = 1, timeout: Duration = .seconds(10)) -> [Message] {
        var collected: [Message] = []
        var seen = 0
        while seen < idles, let message = nextIOPub(timeout: timeout) {
            guard message.parentMessageID == request.header.messageID else { continue }
            if message.messageType == "status" {
                if message.content["execution_state"] == "idle" { seen += 1 }
                continue
            }
            collected.append(message)
        }
        return collected
    }

    /// Whatever iopub brings within `duration`.
    func drain(for duration: Duration = .milliseconds(200)) -> [Message] {
        var collected: [Message] = []
        while let message = nextIOPub(timeout: duration) { collected.append(message) }
        return collected
    }
}

extension Message {
    var commMethod: String? { content["data"]?["method"]?.stringValue }
    var commState: JSONValue? { content["data"]?["state"] }
}
