import Foundation
import JupyterKernel
import RichDisplay
import Testing

@testable import RigorKernel

private func update(_ state: JSONValue) -> JSONValue { ["method": "update", "state": state, "buffer_paths": []] }

/// The models a cell opened, by model name (the first of each), and their comm ids.
private func opened(_ outputs: [Message]) -> [String: (id: String, state: JSONValue)] {
    var models: [String: (id: String, state: JSONValue)] = [:]
    for message in outputs where message.messageType == "comm_open" {
        guard let name = message.commState?["_model_name"]?.stringValue, models[name] == nil,
            let id = message.content["comm_id"]?.stringValue, let state = message.commState
        else { continue }
        models[name] = (id, state)
    }
    return models
}

/// The Output widget's outputs as the last `update` of its comm among `messages` set them.
private func lastOutputs(_ messages: [Message], output: String) -> JSONValue? {
    messages.last { $0.content["comm_id"]?.stringValue == output && $0.commState?["outputs"] != nil }?
        .commState?["outputs"]
}

/// Messages until `output`'s outputs satisfy `done`, or the timeout; returns the last outputs seen.
private func waitForOutputs(
    _ notebook: NotebookClient, output: String, timeout: Duration = .seconds(10), _ done: (JSONValue) -> Bool
) -> JSONValue? {
    var last: JSONValue?
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline, let message = notebook.nextIOPub(timeout: .milliseconds(500)) {
        guard message.content["comm_id"]?.stringValue == output, let outputs = message.commState?["outputs"] else {
            continue
        }
        last = outputs
        if done(outputs) { break }
    }
    return last
}

private func stream(_ text: String) -> JSONValue { ["output_type": "stream", "name": "stdout", "text": .string(text)] }

@Suite("interact over the kernel protocol (in-memory transport)", .timeLimit(.minutes(1)))
struct InteractTests {
    @Test("one control per labelled argument, inferred from its value; the first run fills the Output in the cell")
    func controlsAndFirstRun() throws {
        let notebook = NotebookClient()
        let (reply, outputs) = notebook.run(
            """
            interact(rate: .logUniform(1e-4, 1e-1), width: [16, 32, 64], epochs: 5...40, augment: true,
                     name: "run", scale: 0.5, mode: ["fast": 1, "slow": 2], fixed: .fixed(7)) {
                rate, width, epochs, augment, name, scale, mode, fixed in
                print("\\(width) \\(epochs) \\(augment) \\(name) \\(scale) \\(mode) \\(fixed) \\(rate < 0.0032)")
            }
            """)
        #expect(reply?.content["status"] == "ok")
        let models = opened(outputs)
        let log = try #require(models["FloatLogSliderModel"]?.state)
        #expect(log["min"] == -4.0 && log["max"] == -1.0 && log["base"] == 10.0 && log["description"] == "rate")
        guard case .double(let start) = log["value"] else { Issue.record("\(log)"); return }
        #expect(abs(start - 0.001 * 10.0.squareRoot()) < 1e-9)
        #expect(models["DropdownModel"]?.state["_options_labels"] == ["16", "32", "64"])
        #expect(models["DropdownModel"]?.state["index"] == 0)
        let int = try #require(models["IntSliderModel"]?.state)
        #expect(int["min"] == 5 && int["max"] == 40 && int["value"] == 22 && int["description"] == "epochs")
        #expect(models["CheckboxModel"]?.state["value"] == true)
        #expect(models["TextModel"]?.state["value"] == "run")
        let float = try #require(models["FloatSliderModel"]?.state)
        #expect(float["min"] == -0.5 && float["max"] == 1.5 && float["value"] == 0.5)
        let box = try #require(models["VBoxModel"]?.state)
        #expect(box["_dom_classes"] == ["widget-interact"])
        // 7 controls (`.fixed` makes none) and the output area, in the order written.
        #expect(box["children"]?.arrayValue?.count == 8)
        let output = try #require(models["OutputModel"]?.id)
        #expect(box["children"]?.arrayValue?.last == .string("IPY_MODEL_" + output))
        let view = try #require(outputs.first { $0.messageType == "display_data" })
        #expect(view.content["data"]?["application/vnd.jupyter.widget-view+json"]?["model_id"]?.stringValue != nil)
        // The dictionary's labels are its keys; the closure gets the value. The print went into the Output widget.
        #expect(outputs.streamText == "")
        #expect(lastOutputs(outputs, output: output) == [stream("16 22 true run 0.5 1 7 true\n")])
        #expect(opened(outputs)["DropdownModel"] != nil)
        notebook.shutdown()
    }

    @Test("a change re-runs the closure, its output replacing the last; an error shows there and the controls go on")
    func rerunsAndErrors() throws {
        let notebook = NotebookClient()
        let outputs = notebook.run(
            """
            interact(n: 0...3, label: ["a", "b"]) { n, label in
                print("n is \\(n), \\(label)")
                let xs = [1, 2]
                if n == 3 { print(xs[n]) }
            }
            """
        ).outputs
        let models = opened(outputs)
        let slider = try #require(models["IntSliderModel"]?.id)
        let dropdown = try #require(models["DropdownModel"]?.id)
        let output = try #require(models["OutputModel"]?.id)
        #expect(lastOutputs(outputs, output: output) == [stream("n is 1, a\n")])
        notebook.comm("comm_msg", id: slider, data: update(["value": 2]))
        #expect(waitForOutputs(notebook, output: output) { $0 == [stream("n is 2, a\n")] } == [stream("n is 2, a\n")])
        notebook.comm("comm_msg", id: dropdown, data: update(["index": 1]))
        #expect(waitForOutputs(notebook, output: output) { $0 == [stream("n is 2, b\n")] } == [stream("n is 2, b\n")])
        // An error in the closure: shown in the output area, after what it printed.
        notebook.comm("comm_msg", id: slider, data: update(["value": 3]))
        let failed = waitForOutputs(notebook, output: output) { $0.arrayValue?.count == 2 }
        #expect(failed?.arrayValue?.first == stream("n is 3, b\n"))
        #expect(failed?.arrayValue?.last?["output_type"] == "error")
        #expect(failed?.arrayValue?.last?["ename"] == "IndexError")
        // The controls keep working, and the next run replaces the error.
        notebook.comm("comm_msg", id: slider, data: update(["value": 0]))
        #expect(waitForOutputs(notebook, output: output) { $0 == [stream("n is 0, b\n")] } == [stream("n is 0, b\n")])
        // The session is free: a cell runs.
        #expect(notebook.run("1 + 1").outputs.first?.content["data"]?["text/plain"] == "2")
        notebook.shutdown()
    }

    @Test("an error in the first run shows in the output area; the cell itself succeeds")
    func firstRunError() throws {
        let notebook = NotebookClient()
        let (reply, outputs) = notebook.run("interact(n: 1...3) { n in print(\"before\")\nlet xs: [Int] = []\nxs[n] }")
        #expect(reply?.content["status"] == "ok")
        let output = try #require(opened(outputs)["OutputModel"]?.id)
        let shown = try #require(lastOutputs(outputs, output: output)?.arrayValue)
        #expect(shown.first == stream("before\n"))
        #expect(shown.last?["ename"] == "IndexError")
        let traceback = shown.last?["traceback"]?.arrayValue?.compactMap(\.stringValue).joined(separator: "\n") ?? ""
        #expect(traceback.contains("xs[n]"), "\(traceback)")
        notebook.shutdown()
    }

    @Test("manual: a Run button; nothing runs until it is clicked, then with the controls' values")
    func manualMode() throws {
        let notebook = NotebookClient()
        let outputs = notebook.run(
            "var runs = 0\ninteract(n: 0...10, manual: true) { n in runs += 1\nprint(\"ran with \\(n)\") }"
        ).outputs
        let models = opened(outputs)
        #expect(models["ButtonModel"]?.state["description"] == "Run")
        let slider = try #require(models["IntSliderModel"]?.id)
        let button = try #require(models["ButtonModel"]?.id)
        let output = try #require(models["OutputModel"]?.id)
        #expect(lastOutputs(outputs, output: output) == [])  // opened empty, and nothing ran
        let moved = notebook.comm("comm_msg", id: slider, data: update(["value": 8]))
        _ = notebook.messages(of: moved)
        _ = notebook.drain(for: .milliseconds(300))
        #expect(notebook.run("runs").outputs.first?.content["data"]?["text/plain"] == "0")
        notebook.comm("comm_msg", id: button, data: ["method": "custom", "content": ["event": "click"]])
        #expect(
            waitForOutputs(notebook, output: output) { $0 == [stream("ran with 8\n")] } == [stream("ran with 8\n")])
        notebook.shutdown()
    }

    @Test("a log slider starts on a step, and the front end's rounding of a value runs nothing; a move does")
    func roundingRunsNothing() throws {
        let notebook = NotebookClient()
        let outputs = notebook.run(
            "var runs = 0\ninteract(rate: .logUniform(1e-4, 1e-1, value: 0.003)) { rate in runs += 1\nprint(rate > 0.005) }"
        ).outputs
        let log = try #require(opened(outputs)["FloatLogSliderModel"])
        #expect(log.state["step"] == 0.1)
        // 0.003 is 10^-2.52: moved to the step at 10^-2.5, as the slider would show it.
        guard case .double(let start) = log.state["value"] else { Issue.record("\(log.state)"); return }
        #expect(abs(start - pow(10, -2.5)) < 1e-12)
        let output = try #require(opened(outputs)["OutputModel"]?.id)
        let rounded = notebook.comm("comm_msg", id: log.id, data: update(["value": .double(start * (1 + 1e-12))]))
        _ = notebook.messages(of: rounded)
        _ = notebook.drain(for: .milliseconds(300))
        #expect(notebook.run("runs").outputs.first?.content["data"]?["text/plain"] == "1")
        notebook.comm("comm_msg", id: log.id, data: update(["value": 0.01]))
        #expect(waitForOutputs(notebook, output: output) { $0 == [stream("true\n")] } == [stream("true\n")])
        #expect(notebook.run("runs").outputs.first?.content["data"]?["text/plain"] == "2")
        notebook.shutdown()
    }

    @Test("a burst of changes makes few runs, the last with the latest value; a stale run is interrupted")
    func latestOnly() throws {
        let notebook = NotebookClient()
        let outputs = notebook.run(
            """
            var runs: [Int] = []
            interact(n: 0...100, continuousUpdate: false, delay: 0.2) { n in
                runs.append(n)
                print("ran \\(n)")
            }
            """
        ).outputs
        let models = opened(outputs)
        #expect(models["IntSliderModel"]?.state["continuous_update"] == false)
        let slider = try #require(models["IntSliderModel"]?.id)
        let output = try #require(models["OutputModel"]?.id)
        for value in 1...30 { notebook.comm("comm_msg", id: slider, data: update(["value": .int(value)])) }
        #expect(waitForOutputs(notebook, output: output) { $0 == [stream("ran 30\n")] } == [stream("ran 30\n")])
        _ = notebook.drain(for: .milliseconds(400))
        // The first run (in the cell) and one for the burst: the delay waited out the 30 moves.
        #expect(notebook.run("runs").outputs.first?.content["data"]?["text/plain"] == "[50, 30]")

        let spin = notebook.run(
            """
            interact(k: 0...5) { k in
                print("k \\(k)")
                if k == 1 { while true { } }
            }
            """
        ).outputs
        let spinSlider = try #require(opened(spin)["IntSliderModel"]?.id)
        let spinOutput = try #require(opened(spin)["OutputModel"]?.id)
        notebook.comm("comm_msg", id: spinSlider, data: update(["value": 1]))
        // The run for 1 printed and spins: its line is shown while it runs (the Output's text is sent after a short
        // delay, not only when the run ends), and the next change interrupts it.
        let spinning = waitForOutputs(notebook, output: spinOutput) { $0 == [stream("k 1\n")] }
        #expect(spinning == [stream("k 1\n")])
        notebook.comm("comm_msg", id: spinSlider, data: update(["value": 4]))
        let last = waitForOutputs(notebook, output: spinOutput) { $0 == [stream("k 4\n")] }
        #expect(last == [stream("k 4\n")])
        #expect(notebook.run("1 + 1").outputs.first?.content["data"]?["text/plain"] == "2")
        notebook.shutdown()
    }
}
