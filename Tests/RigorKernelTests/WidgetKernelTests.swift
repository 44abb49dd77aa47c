import Foundation
import JupyterKernel
import RichDisplay
import Testing

@testable import RigorKernel

private func update(_ state: JSONValue) -> JSONValue { ["method": "update", "state": state, "buffer_paths": []] }

@Suite("Widgets over the kernel protocol (in-memory transport)", .timeLimit(.minutes(1)))
struct WidgetKernelTests {
    @Test("a widget made in a cell opens its comms, shows its view, and is listed by comm_info")
    func creation() throws {
        let notebook = NotebookClient.withWidgets()
        let (reply, outputs) = notebook.run("let s = slider { value in print(\"now \\(value)\") }\ns")
        #expect(reply?.content["status"] == "ok")
        #expect(outputs.types == ["comm_open", "comm_open", "comm_open", "execute_result"])
        #expect(outputs.prefix(3).allSatisfy { $0.content["target_name"] == "jupyter.widget" })
        #expect(outputs[0].metadata == ["version": "2.1.0"])  // the message's metadata, where the manager reads it
        #expect(outputs[2].commState?["_model_name"] == "IntSliderModel")
        let id = try #require(outputs[2].content["comm_id"]?.stringValue)
        let view = try #require(outputs[3].content["data"]?["application/vnd.jupyter.widget-view+json"])
        #expect(view == ["model_id": .string(id), "version_major": 2, "version_minor": 0])
        #expect(outputs[3].content["data"]?["text/plain"] == "IntSlider(value=3, description='n', max=10)")
        let info = notebook.send("comm_info_request", ["target_name": "jupyter.widget"])
        #expect(notebook.nextReply()?.content["comms"]?.objectValue?.count == 3)
        _ = notebook.outputs(of: info)
        notebook.shutdown()
    }

    @Test("update: echo_update at once, then the handler runs after it, its output parented to the comm message")
    func updateAndHandler() throws {
        let notebook = NotebookClient.withWidgets()
        let outputs = notebook.run("let s = slider { value in print(\"now \\(value)\") }\nlet id = widgetID(s)").outputs
        let id = try #require(outputs[2].content["comm_id"]?.stringValue)
        let message = notebook.comm("comm_msg", id: id, data: update(["value": 6]))
        let seen = notebook.messages(of: message, idles: 2)
        #expect(seen.types == ["comm_msg", "stream"])
        #expect(seen[0].content["data"] == ["method": "echo_update", "state": ["value": 6], "buffer_paths": []])
        #expect(seen[1].content["text"] == "now 6\n")
        #expect(notebook.run("sliderValue(id)").outputs.first?.content["data"]?["text/plain"] == "6")
        notebook.shutdown()
    }

    @Test("bad input from the front end: out of range is clamped, a wrong type refused and reset; both keep working")
    func badInput() throws {
        let notebook = NotebookClient.withWidgets()
        let outputs = notebook.run("let s = slider { value in print(\"now \\(value)\") }").outputs
        let id = try #require(outputs[2].content["comm_id"]?.stringValue)
        let clamped = notebook.comm("comm_msg", id: id, data: update(["value": 200]))
        let seen = notebook.messages(of: clamped, idles: 2)
        #expect(seen.map(\.commMethod) == ["echo_update", "update", nil])
        #expect(seen[1].commState == ["value": 10])
        #expect(seen[2].content["text"] == "now 10\n")
        let wrong = notebook.comm("comm_msg", id: id, data: update(["value": "six"]))
        let refused = notebook.messages(of: wrong)
        #expect(refused.map(\.commMethod) == ["echo_update", "update"])
        #expect(refused[1].commState == ["value": 10])
        #expect(notebook.drain().filter { $0.messageType == "stream" }.isEmpty)  // no handler for a refused value
        let fine = notebook.comm("comm_msg", id: id, data: update(["value": 2]))
        #expect(notebook.messages(of: fine, idles: 2).last?.content["text"] == "now 2\n")
        notebook.shutdown()
    }

    @Test("request_state gets the full state; a value set by code is an update parented to the cell")
    func requestStateAndCodeUpdates() throws {
        let notebook = NotebookClient.withWidgets()
        _ = notebook.run("let s = slider { _ in }\nlet id = widgetID(s)")
        let id = try #require(notebook.run("id").outputs.first?.content["data"]?["text/plain"]?.stringValue)
            .trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        let request = notebook.comm("comm_msg", id: id, data: ["method": "request_state"])
        let full = notebook.messages(of: request)
        #expect(full.map(\.commMethod) == ["update"])
        #expect(full[0].commState?["_model_name"] == "IntSliderModel")
        #expect(full[0].commState?.objectValue?.count == 24)
        let (reply, outputs) = notebook.run("setSlider(id, 4)\nsetSlider(id, 4)")
        #expect(reply?.content["status"] == "ok")
        #expect(outputs.types == ["comm_msg"])  // the second set changes nothing
        #expect(outputs[0].content["data"] == update(["value": 4]))
        let failed = notebook.run("setSlider(id, -3)\nsliderValue(id)").outputs  // clamped to min
        #expect(failed.last?.content["data"]?["text/plain"] == "0")
        notebook.shutdown()
    }

    @Test("a click runs onClick; a handler that throws shows its error and the widget keeps working")
    func clicksAndThrowingHandlers() throws {
        let notebook = NotebookClient.withWidgets()
        let outputs = notebook.run(
            """
            var clicks = 0
            let b = button {
                clicks += 1
                if clicks == 2 { let a = [1]; print(a[5]) }
                print("click \\(clicks)")
            }
            """
        ).outputs
        let id = try #require(outputs.last?.content["comm_id"]?.stringValue)
        let click: JSONValue = ["method": "custom", "content": ["event": "click"]]
        #expect(
            notebook.messages(of: notebook.comm("comm_msg", id: id, data: click), idles: 2).streamText == "click 1\n")
        let failing = notebook.messages(of: notebook.comm("comm_msg", id: id, data: click), idles: 2)
        #expect(failing.first?.content["name"] == "stderr")
        #expect(failing.streamText.contains("IndexError"))
        #expect(
            notebook.messages(of: notebook.comm("comm_msg", id: id, data: click), idles: 2).streamText == "click 3\n")
        #expect(notebook.run("clicks").outputs.first?.content["data"]?["text/plain"] == "3")
        notebook.shutdown()
    }

    @Test("the control comm: request_states answers every model; an old protocol version is closed")
    func controlComm() throws {
        let notebook = NotebookClient.withWidgets()
        let refused = notebook.comm(
            "comm_open", id: "old", data: ["target_name": "jupyter.widget.control"], metadata: ["version": "0.9"])
        #expect(notebook.messages(of: refused).types == ["comm_close"])
        let open = notebook.comm(
            "comm_open", id: "control", data: ["target_name": "jupyter.widget.control"],
            metadata: ["version": "1.0.0"])
        #expect(notebook.messages(of: open).isEmpty)
        let empty = notebook.comm("comm_msg", id: "control", data: ["method": "request_states"])
        #expect(
            notebook.messages(of: empty).first?.content["data"] == [
                "method": "update_states", "states": [:], "buffer_paths": [],
            ])
        _ = notebook.run("let s = slider { _ in }\nsetSlider(widgetID(s), 7)")
        let states = notebook.comm("comm_msg", id: "control", data: ["method": "request_states"])
        let answer = try #require(notebook.messages(of: states).first?.content["data"])
        #expect(answer["method"] == "update_states")
        let models = try #require(answer["states"]?.objectValue)
        #expect(models.count == 3)
        let slider = try #require(models.values.first { $0["model_name"] == "IntSliderModel" })
        #expect(slider["model_module"] == "@jupyter-widgets/controls" && slider["model_module_version"] == "2.0.0")
        #expect(slider["state"]?["value"] == 7)
        let unknown = notebook.comm("comm_open", id: "x", data: ["target_name": "nobody"])
        #expect(notebook.messages(of: unknown).types == ["comm_close"])
        notebook.shutdown()
    }

    @Test("unknown comm ids and closed comms: ignored, nothing sent, the kernel answers on")
    func unknownAndClosed() throws {
        let notebook = NotebookClient.withWidgets()
        let outputs = notebook.run("let s = slider { value in print(value) }").outputs
        let id = try #require(outputs[2].content["comm_id"]?.stringValue)
        #expect(notebook.messages(of: notebook.comm("comm_msg", id: "nope", data: update(["value": 1]))).isEmpty)
        #expect(notebook.messages(of: notebook.comm("comm_close", id: id)).isEmpty)
        #expect(notebook.messages(of: notebook.comm("comm_msg", id: id, data: update(["value": 1]))).isEmpty)
        #expect(notebook.drain().filter { $0.messageType != "status" }.isEmpty)
        // Code may still use it; nothing goes to the front end.
        let (reply, after) = notebook.run("setSlider(widgetID(s), 5)\nsliderValue(widgetID(s))")
        #expect(reply?.content["status"] == "ok")
        #expect(after.types == ["execute_result"])
        // A widget closed by code sends comm_close once.
        let closed = notebook.run("let t = slider { _ in }\ncloseWidget(widgetID(t))").outputs
        #expect(closed.types.filter { $0 == "comm_close" }.count == 1)
        notebook.shutdown()
    }

    @Test("while a cell runs, a comm update is applied at once (the cell sees it); its handler waits for the cell")
    func updatesWhileACellRuns() throws {
        let notebook = NotebookClient.withWidgets()
        let outputs = notebook.run("let s = slider { value in print(\"handler \\(value)\") }\nlet id = widgetID(s)")
            .outputs
        let id = try #require(outputs[2].content["comm_id"]?.stringValue)
        let cell = notebook.send(
            "execute_request",
            [
                "code": "var spins = 0\nwhile sliderValue(id) != 9 { spins += 1 }\nprint(\"cell saw 9\")",
                "silent": false,
            ])
        Thread.sleep(forTimeInterval: 0.2)
        let start = ContinuousClock.now
        let message = notebook.comm("comm_msg", id: id, data: update(["value": 9]))
        let reply = try #require(notebook.nextReply(timeout: .seconds(10)))
        #expect(reply.content["status"] == "ok")
        #expect(ContinuousClock.now - start < .seconds(3))
        // In order on iopub: the echo (while the cell ran), the cell's output, then the handler's.
        var order: [String] = []
        while order.count < 3, let next = notebook.nextIOPub() {
            if next.parentMessageID == message.header.messageID, next.commMethod == "echo_update" {
                order.append("echo")
            }
            if next.messageType == "stream" { order.append(next.content["text"]?.stringValue ?? "") }
        }
        #expect(order == ["echo", "cell saw 9\n", "handler 9\n"])
        _ = cell
        notebook.shutdown()
    }

    @Test("interact-style runs: debounced, a stale run interrupted, only the latest result in the Output widget")
    func staleRunsAreInterrupted() throws {
        let notebook = NotebookClient.withWidgets()
        let outputs = notebook.run(
            """
            let e = explore { value in
                if value == 1 { while true { } }
                print("ran \\(value)")
            }
            """
        ).outputs
        let opens = outputs.filter { $0.messageType == "comm_open" }
        let sliderID = try #require(
            opens.first { $0.commState?["_model_name"] == "IntSliderModel" }?.content["comm_id"])
        let outputID = try #require(opens.first { $0.commState?["_model_name"] == "OutputModel" }?.content["comm_id"])
        let first = notebook.comm("comm_msg", id: sliderID.stringValue!, data: update(["value": 1]))
        _ = notebook.messages(of: first)
        Thread.sleep(forTimeInterval: 0.3)  // the run for 1 spins now
        let second = notebook.comm("comm_msg", id: sliderID.stringValue!, data: update(["value": 2]))
        var outputStates: [JSONValue] = []
        var idles = 0
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline, idles < 2, let next = notebook.nextIOPub() {
            if next.content["comm_id"] == outputID, let state = next.commState?["outputs"] {
                outputStates.append(state)
            }
            if next.parentMessageID == second.header.messageID, next.content["execution_state"] == "idle" { idles += 1 }
        }
        #expect(outputStates.last == [["output_type": "stream", "name": "stdout", "text": "ran 2\n"]])
        #expect(!outputStates.contains { $0.arrayValue?.contains { $0["output_type"] == "error" } == true })
        // The session is free again, and not left interrupted.
        #expect(notebook.run("1 + 1").outputs.first?.content["data"]?["text/plain"] == "2")
        notebook.shutdown()
    }

    @Test("output into an Output widget: prints are joined into few updates, none lost")
    func outputWidgetBatching() throws {
        let notebook = NotebookClient.withWidgets()
        let outputs = notebook.run(
            "let e = explore { value in for i in 0..<300 { print(\"line \\(i)\") } }"
        ).outputs
        let opens = outputs.filter { $0.messageType == "comm_open" }
        let sliderID = try #require(
            opens.first { $0.commState?["_model_name"] == "IntSliderModel" }?.content["comm_id"])
        let outputID = try #require(opens.first { $0.commState?["_model_name"] == "OutputModel" }?.content["comm_id"])
        let move = notebook.comm("comm_msg", id: sliderID.stringValue!, data: update(["value": 4]))
        let seen = notebook.messages(of: move, idles: 2).filter { $0.content["comm_id"] == outputID }
        #expect(!seen.isEmpty && seen.count < 30, "\(seen.count) updates")
        let text = seen.last?.commState?["outputs"]?.arrayValue?.first?["text"]?.stringValue ?? ""
        #expect(text.split(separator: "\n").count == 300)
        #expect(text.hasPrefix("line 0\nline 1\n") && text.hasSuffix("line 299\n"))
        notebook.shutdown()
    }

    @Test("a model the front end opens is kept, listed by request_states and updated like the kernel's")
    func frontEndModels() throws {
        let notebook = NotebookClient.withWidgets()
        let open = notebook.send(
            "comm_open",
            [
                "comm_id": "fe1", "target_name": "jupyter.widget",
                "data": ["state": ["_model_name": "CheckboxModel", "value": true], "buffer_paths": []],
            ], metadata: ["version": "2.1.0"])
        #expect(notebook.messages(of: open).isEmpty)
        let change = notebook.comm("comm_msg", id: "fe1", data: update(["value": false]))
        #expect(notebook.messages(of: change).map(\.commMethod) == ["echo_update"])
        _ = notebook.messages(
            of: notebook.comm(
                "comm_open", id: "ctl", data: ["target_name": "jupyter.widget.control"], metadata: ["version": "1.0.0"])
        )
        let states = notebook.messages(of: notebook.comm("comm_msg", id: "ctl", data: ["method": "request_states"]))
        #expect(states.first?.content["data"]?["states"]?["fe1"]?["state"]?["value"] == false)
        notebook.shutdown()
    }
}
