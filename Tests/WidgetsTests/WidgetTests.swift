import Foundation
import RichDisplay
import Synchronization
import Testing

@testable import Widgets

/// Records what a manager sends, as (kind, comm id, data).
final class RecordingTransport: WidgetTransport, @unchecked Sendable {
    struct Sent: Equatable {
        let kind: String
        let id: String
        let data: JSONValue
    }

    private let lock = NSLock()
    private var sent: [Sent] = []

    var messages: [Sent] { lock.withLock { sent } }

    func take() -> [Sent] {
        lock.withLock {
            defer { sent = [] }
            return sent
        }
    }

    func openComm(id: String, targetName: String, data: JSONValue, metadata: JSONValue) {
        #expect(targetName == "jupyter.widget")
        #expect(metadata == ["version": "2.1.0"])
        lock.withLock { sent.append(Sent(kind: "open", id: id, data: data)) }
    }

    func sendComm(id: String, data: JSONValue) {
        lock.withLock { sent.append(Sent(kind: "msg", id: id, data: data)) }
    }

    func closeComm(id: String) { lock.withLock { sent.append(Sent(kind: "close", id: id, data: .null)) } }
}

private func update(_ state: JSONValue) -> JSONValue { ["method": "update", "state": state, "buffer_paths": []] }
private func echo(_ state: JSONValue) -> JSONValue {
    ["method": "echo_update", "state": state, "buffer_paths": []]
}

@Suite("Widget models: state as ipywidgets has it, validation, the comm protocol")
struct WidgetTests {
    static let reference: [String: [String: JSONValue]] = {
        let url = Bundle.module.url(forResource: "ipywidgets-states", withExtension: "json", subdirectory: "Fixtures")!
        let text = try! String(contentsOf: url, encoding: .utf8)
        let states = JSONValue(jsonText: text)!["states"]!.objectValue!
        return states.mapValues { $0.objectValue! }
    }()

    @Test("every model's default state is ipywidgets' own, key for key", arguments: WidgetSchema.all.map(\.modelName))
    func defaultStates(modelName: String) throws {
        let schema = try #require(WidgetSchema.named(model: modelName))
        let manager = WidgetManager()
        let widget = try manager.create(schema)
        var state = widget.fullState
        for (key, value) in state where value.stringValue?.hasPrefix("IPY_MODEL_") == true {
            state[key] = "IPY_MODEL_"
        }
        let expected = try #require(Self.reference[modelName])
        #expect(Set(state.keys) == Set(expected.keys))
        for key in expected.keys { #expect(state[key] == expected[key], "\(modelName).\(key)") }
    }

    @Test("a slider opens its layout and style first, then itself with its full state; the view bundle names it")
    func creation() throws {
        let transport = RecordingTransport()
        let manager = WidgetManager()
        manager.transport = transport
        let slider = try manager.create(.intSlider, ["value": 3, "max": 10, "description": "n"])
        let sent = transport.take()
        #expect(sent.map(\.kind) == ["open", "open", "open"])
        #expect(sent[0].data["state"]?["_model_name"] == "LayoutModel")
        #expect(sent[1].data["state"]?["_model_name"] == "SliderStyleModel")
        #expect(sent[2].id == slider.id)
        #expect(sent[2].data["state"]?["layout"] == .string("IPY_MODEL_" + sent[0].id))
        #expect(sent[2].data["state"]?["value"] == 3)
        #expect(sent[2].data["buffer_paths"] == [])
        let bundle = slider.viewBundle
        #expect(bundle.plainText == "IntSlider(value=3, description='n', max=10)")
        let view = try #require(JSONValue(jsonText: bundle.data["application/vnd.jupyter.widget-view+json"] ?? ""))
        #expect(view == ["model_id": .string(slider.id), "version_major": 2, "version_minor": 0])
        #expect(throws: WidgetError.self) { try manager.create(.intSlider, ["valu": 3]) }
    }

    @Test("an update from the front end is echoed, applied and observed; out of range it is clamped and corrected")
    func frontEndUpdates() throws {
        let manager = WidgetManager()
        let slider = try manager.create(.intSlider, ["value": 3, "max": 10])
        let seen = Mutex<[WidgetChange.Source]>([])
        slider.observe(["value"]) { change in seen.withLock { $0.append(change.source) } }
        let reply = RecordingTransport()
        #expect(manager.frontEndMessage(commID: slider.id, data: update(["value": 6]), reply: reply))
        #expect(reply.take() == [.init(kind: "msg", id: slider.id, data: echo(["value": 6]))])
        #expect(slider.value == 6)
        _ = manager.frontEndMessage(commID: slider.id, data: update(["value": 200]), reply: reply)
        #expect(reply.take().map(\.data) == [echo(["value": 200]), update(["value": 10])])
        #expect(slider.value == 10)
        #expect(seen.withLock { $0 } == [.frontEnd, .frontEnd])
        // A float slider's bound moved below its value clamps the value too.
        let float = try manager.create(.floatSlider, ["value": 50.0])
        _ = manager.frontEndMessage(commID: float.id, data: update(["max": 20]), reply: reply)
        #expect(reply.take().map(\.data) == [echo(["max": 20]), update(["value": 20.0])])
        #expect(float["max"] == 20.0)
    }

    @Test("a refused update (wrong type, min > max, bad index) changes nothing, is logged, and resets the front end")
    func refusedUpdates() throws {
        let logged = Mutex<[String]>([])
        let manager = WidgetManager { message in logged.withLock { $0.append(message) } }
        let slider = try manager.create(.intSlider, ["value": 3, "max": 10])
        let reply = RecordingTransport()
        _ = manager.frontEndMessage(commID: slider.id, data: update(["value": "six"]), reply: reply)
        #expect(reply.take().map(\.data) == [echo(["value": "six"]), update(["value": 3])])
        #expect(slider.value == 3)
        #expect(logged.withLock { $0.last?.contains("expected an int, not the str 'six'") } == true)
        _ = manager.frontEndMessage(commID: slider.id, data: update(["min": 20, "value": 5]), reply: reply)
        #expect(reply.take().last?.data == update(["min": 0, "value": 3]))
        #expect(slider.value == 3 && slider["min"] == 0)
        let dropdown = try manager.create(.dropdown, ["_options_labels": ["a", "b"], "index": 0])
        _ = manager.frontEndMessage(commID: dropdown.id, data: update(["index": 2]), reply: reply)
        #expect(reply.take().last?.data == update(["index": 0]))
        #expect(logged.withLock { $0.last?.contains("Invalid selection: index out of bounds") } == true)
        // Unknown and fixed keys are ignored (no echo), as ipywidgets does.
        _ = manager.frontEndMessage(
            commID: slider.id, data: update(["nonexistent": 1, "_model_name": "X"]), reply: reply)
        #expect(reply.take().isEmpty)
        #expect(slider.fullState["_model_name"] == "IntSliderModel")
        // Enumerations compare without case and keep the canonical spelling.
        _ = manager.frontEndMessage(commID: slider.id, data: update(["orientation": "VERTICAL"]), reply: reply)
        #expect(slider["orientation"] == "vertical")
    }

    @Test("code sets values through the same checks; an unchanged value sends nothing")
    func codeUpdates() throws {
        let transport = RecordingTransport()
        let manager = WidgetManager()
        manager.transport = transport
        let slider = try manager.create(.floatLogSlider, ["value": 1e-3, "min": -4, "max": -1])
        _ = transport.take()
        try slider.set("value", 0.5)  // above 10^-1: clamped
        #expect(slider.value == .double(0.1))
        #expect(transport.take().map(\.data) == [update(["value": 0.1])])
        try slider.set("value", 0.1)
        #expect(transport.take().isEmpty)
        #expect(
            throws: WidgetError("The 'value' trait of a FloatLogSlider instance expected a float, not the str 'x'.")
        ) {
            try slider.set("value", "x")
        }
        #expect(throws: WidgetError("setting min > max")) { try slider.set("min", 0) }
        slider.close()
        #expect(transport.take() == [.init(kind: "close", id: slider.id, data: .null)])
        #expect(!slider.isLive)
        try slider.set("value", 0.01)  // still usable from code; nothing sent
        #expect(transport.take().isEmpty)
    }

    @Test("request_state, custom messages, comm_close, unknown comms and methods")
    func otherMessages() throws {
        let manager = WidgetManager()
        let button = try manager.create(.button, ["description": "Run"])
        let reply = RecordingTransport()
        _ = manager.frontEndMessage(commID: button.id, data: ["method": "request_state"], reply: reply)
        let full = reply.take()
        #expect(full.count == 1 && full[0].data["method"] == "update")
        #expect(full[0].data["state"]?["_model_name"] == "ButtonModel")
        #expect(full[0].data["state"]?["description"] == "Run")
        let clicks = Mutex(0)
        button.onCustomMessage { content in if content["event"] == "click" { clicks.withLock { $0 += 1 } } }
        _ = manager.frontEndMessage(
            commID: button.id, data: ["method": "custom", "content": ["event": "click"]], reply: reply)
        #expect(clicks.withLock { $0 } == 1)
        #expect(!manager.frontEndMessage(commID: "nope", data: update(["value": 1]), reply: reply))
        #expect(manager.frontEndMessage(commID: button.id, data: ["method": "bogus"], reply: reply))
        manager.frontEndClosed(commID: button.id)
        #expect(!manager.owns(commID: button.id))
        #expect(!manager.frontEndMessage(commID: button.id, data: ["method": "request_state"], reply: reply))
        #expect(reply.take().isEmpty)
    }

    @Test("the control comm answers request_states with every model; the notebook state has the same")
    func control() throws {
        let manager = WidgetManager()
        manager.transport = RecordingTransport()
        #expect(!manager.frontEndOpened(commID: "c0", targetName: "jupyter.widget.control", data: [:], metadata: [:]))
        #expect(
            manager.frontEndOpened(
                commID: "c1", targetName: "jupyter.widget.control", data: [:], metadata: ["version": "1.0.0"]))
        #expect(!manager.frontEndOpened(commID: "c2", targetName: "other", data: [:], metadata: [:]))
        let reply = RecordingTransport()
        _ = manager.frontEndMessage(commID: "c1", data: ["method": "request_states"], reply: reply)
        #expect(reply.take().map(\.data) == [["method": "update_states", "states": [:], "buffer_paths": []]])
        let slider = try manager.create(.intSlider, ["value": 7])
        _ = manager.frontEndMessage(commID: "c1", data: ["method": "request_states"], reply: reply)
        let states = try #require(reply.take().first?.data["states"]?.objectValue)
        #expect(states.count == 3)  // layout, style, slider
        #expect(states[slider.id]?["model_name"] == "IntSliderModel")
        #expect(states[slider.id]?["model_module_version"] == "2.0.0")
        #expect(states[slider.id]?["state"]?["value"] == 7)
        let notebook = manager.notebookState()
        #expect(notebook["version_major"] == 2 && notebook["version_minor"] == 0)
        #expect(notebook["state"]?.objectValue == states)
        // A model the front end opens itself.
        #expect(
            manager.frontEndOpened(
                commID: "f1", targetName: "jupyter.widget",
                data: ["state": ["_model_name": "CheckboxModel", "value": true, "indent": "bad"]], metadata: [:]))
        #expect(manager.widget(id: "f1")?.value == true)
        #expect(manager.widget(id: "f1")?["indent"] == true)
    }

    @Test("an Output widget keeps its outputs in its state: streams join, displays update by id, clear waits")
    func outputs() throws {
        let transport = RecordingTransport()
        let manager = WidgetManager()
        manager.transport = transport
        let output = try manager.create(.output)
        _ = transport.take()
        output.appendStream("a")
        output.appendStream("b\n")
        output.appendDisplay(MIMEBundle(data: ["text/plain": "1", "application/json": "{\"x\": 1}"]), displayID: "d")
        output.updateDisplay(MIMEBundle(plainText: "2"), displayID: "d")
        var outputs = try #require(output["outputs"].arrayValue)
        #expect(outputs.count == 2)
        #expect(outputs[0] == ["output_type": "stream", "name": "stdout", "text": "ab\n"])
        #expect(outputs[1] == ["output_type": "display_data", "data": ["text/plain": "2"], "metadata": [:]])
        #expect(transport.take().count == 4)
        output.clearOutputs(wait: true)
        #expect(output["outputs"].arrayValue?.count == 2)
        output.appendError(name: "ValueError", value: "bad", traceback: ["line"])
        outputs = try #require(output["outputs"].arrayValue)
        #expect(outputs == [["output_type": "error", "ename": "ValueError", "evalue": "bad", "traceback": ["line"]]])
    }

    @Test("observers and front-end updates from many threads at once keep the state consistent")
    func concurrency() throws {
        let manager = WidgetManager()
        let slider = try manager.create(.intSlider, ["max": 1000])
        let count = Mutex(0)
        slider.observe { _ in count.withLock { $0 += 1 } }
        DispatchQueue.concurrentPerform(iterations: 200) { index in
            if index.isMultiple(of: 2) {
                _ = manager.frontEndMessage(
                    commID: slider.id, data: update(["value": .int(index)]), reply: RecordingTransport())
            } else {
                try? slider.set("value", .int(index))
            }
        }
        #expect(count.withLock { $0 } > 0)
        #expect((0...1000).contains(slider.value.intValue ?? -1))
    }
}

@Suite("Widget models under random front-end input")
struct WidgetFuzzTests {
    /// A small deterministic generator (SplitMix64), so a failure replays.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    static func randomValue(_ generator: inout Generator, depth: Int = 0) -> JSONValue {
        switch generator.below(depth > 1 ? 6 : 8) {
        case 0: return .null
        case 1: return .bool(generator.below(2) == 0)
        case 2: return .int(generator.below(400) - 200)
        case 3: return .double(Double(generator.below(20_000)) / 7 - 1000)
        case 4: return .string(["", "six", "vertical", "IPY_MODEL_x", "drag-tap", "danger"][generator.below(6)])
        case 5: return .double(1e300 * (generator.below(2) == 0 ? 1 : -1))
        case 6: return .array((0..<generator.below(4)).map { _ in randomValue(&generator, depth: depth + 1) })
        default: return .object(["a": randomValue(&generator, depth: depth + 1)])
        }
    }

    @Test("3,000 random updates: never a crash, and every state always passes its own traits and rules")
    func randomUpdates() throws {
        var generator = Generator(state: 14)
        let manager = WidgetManager()
        let widgets = try WidgetSchema.all.map { try manager.create($0) }
        let reply = RecordingTransport()
        for _ in 0..<3000 {
            let widget = widgets[generator.below(widgets.count)]
            let names = widget.schema.traitNames + ["value", "index", "_model_name", "unknown"]
            var state: [String: JSONValue] = [:]
            for _ in 0..<(1 + generator.below(3)) {
                state[names[generator.below(names.count)]] = Self.randomValue(&generator)
            }
            let data: JSONValue =
                generator.below(10) == 0
                ? ["method": .string(["request_state", "custom", "bogus"][generator.below(3)])]
                : ["method": "update", "state": .object(state), "buffer_paths": []]
            _ = manager.frontEndMessage(commID: widget.id, data: data, reply: reply)
            _ = reply.take()
            var current = widget.fullState
            for name in widget.schema.traitNames {
                let trait = widget.schema.traits[name]!
                let value = try #require(current[name])
                #expect((try? trait.validate(value, in: widget.schema)) == value, "\(widget.schema.name).\(name)")
            }
            #expect(throws: Never.self) {
                try WidgetRules.apply(widget.schema, to: &current, changed: Set(widget.schema.traitNames))
            }
            #expect(current == widget.fullState)
        }
    }
}
