import Foundation
import JupyterKernel
import Testing

@testable import RigorKernel

@Suite("RigorInterpreter: the language over the kernel protocol", .timeLimit(.minutes(1)))
struct RigorInterpreterTests {
    @Test("a cell's last expression is the execute_result; print goes to stdout, eprint to stderr")
    func resultsAndStreams() throws {
        let notebook = NotebookClient()
        let (reply, outputs) = notebook.run("print(\"hi\")\neprint(\"careful\")\n6 * 7")
        #expect(reply?.content["status"] == "ok")
        #expect(outputs.types == ["stream", "stream", "execute_result"])
        #expect(outputs[0].content == ["name": "stdout", "text": "hi\n"])
        #expect(outputs[1].content == ["name": "stderr", "text": "careful\n"])
        #expect(outputs[2].content["data"]?["text/plain"] == "42")
        #expect(notebook.run("print(\"x\", to: .standardError)").outputs.first?.content["name"] == "stderr")
        notebook.shutdown()
    }

    @Test("variables live across cells; strings show quoted as results")
    func state() throws {
        let notebook = NotebookClient()
        _ = notebook.run("var greeting = \"hello\"")
        let outputs = notebook.run("greeting + \", world\"").outputs
        #expect(outputs.first?.content["data"]?["text/plain"] == "\"hello, world\"")
        notebook.shutdown()
    }

    @Test("errors: ename is the kind, evalue the message, the traceback the rendered diagnostic")
    func errors() throws {
        let notebook = NotebookClient()
        let (reply, outputs) = notebook.run("let a = 1\nundefinedName + a")
        #expect(reply?.content["status"] == "error")
        #expect(outputs.types == ["error"])
        let error = try #require(outputs.first?.content)
        #expect(error["ename"] == "NameError")
        let traceback = error["traceback"]?.arrayValue?.compactMap(\.stringValue).joined(separator: "\n") ?? ""
        #expect(traceback.contains("undefinedName"))
        #expect(traceback.contains("^"))
        notebook.shutdown()
    }

    @Test("display shows rich output with an id; update replaces it; clearOutput clears")
    func display() throws {
        let notebook = NotebookClient()
        let code = """
            let progress = display(HTML("<b>0%</b>"))
            progress.update("100%")
            clearOutput(wait: true)
            Markdown("# done")
            """
        let outputs = notebook.run(code).outputs
        #expect(outputs.types == ["display_data", "update_display_data", "clear_output", "execute_result"])
        let id = try #require(outputs[0].content["transient"]?["display_id"]?.stringValue)
        #expect(outputs[0].content["data"]?["text/html"] == "<b>0%</b>")
        #expect(outputs[1].content["transient"]?["display_id"] == .string(id))
        #expect(outputs[1].content["data"]?["text/plain"] == "100%")
        #expect(outputs[2].content["wait"] == true)
        #expect(outputs[3].content["data"]?["text/markdown"] == "# done")
        notebook.shutdown()
    }

    @Test("fit shows one live display, updated in place a few times a second and left at the last epoch")
    func liveTraining() throws {
        let notebook = Self.notebookWithIrisModel()
        let start = ContinuousClock.now
        let outputs = notebook.run(
            "let history = model.fit(data, epochs: 300, batchSize: 150, seed: 0)\nhistory.epochs"
        ).outputs
        let elapsed = ContinuousClock.now - start
        let displays = outputs.filter { $0.header.messageType == "display_data" }
        let updates = outputs.filter { $0.header.messageType == "update_display_data" }
        #expect(displays.count == 1)
        let id = try #require(displays.first?.content["transient"]?["display_id"]?.stringValue)
        #expect(updates.allSatisfy { $0.content["transient"]?["display_id"]?.stringValue == id })
        // 300 epochs of a few hundred microseconds: not one chart per epoch, but at most 4 a second plus the last.
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        #expect(!updates.isEmpty && Double(updates.count) <= 4 * seconds + 2, "\(updates.count) in \(seconds) s")
        let last = try #require(updates.last?.content["data"]?["text/plain"]?.stringValue)
        #expect(last.contains("epoch 300/300"), "\(last)")
        #expect(
            updates.last?.content["data"]?["image/svg+xml"] != nil || updates.last?.content["data"]?["text/html"] != nil
        )
        #expect(outputs.last?.content["data"]?["text/plain"] == "300")
        notebook.shutdown()
    }

    @Test(
        "an interrupt stops fit at the next batch: it says so, the display keeps its last state, the model its history")
    func interruptTraining() throws {
        let notebook = Self.notebookWithIrisModel()
        let request = notebook.send(
            "execute_request", ["code": "model.fit(data, epochs: 1000000, batchSize: 8, seed: 0)"])
        Thread.sleep(forTimeInterval: 0.5)
        let start = ContinuousClock.now
        notebook.send("interrupt_request", on: .control)
        let reply = try #require(notebook.nextReply())
        #expect(ContinuousClock.now - start < .milliseconds(500))
        #expect(reply.parentMessageID == request.header.messageID)
        #expect(reply.content["ename"] == "Interrupted")
        let outputs = notebook.outputs(of: request)
        let error = try #require(outputs.last { $0.header.messageType == "error" })
        #expect(error.content["evalue"]?.stringValue?.contains("history") == true, "\(error.content)")
        let last = try #require(
            outputs.last { $0.header.messageType == "update_display_data" }?.content["data"]?["text/plain"]?
                .stringValue)
        #expect(last.lowercased().contains("stopped") || last.lowercased().contains("interrupted"), "\(last)")
        let epochs = notebook.run("model.history.epochs").outputs.first?.content["data"]?["text/plain"]?.stringValue
        #expect((Int(epochs ?? "") ?? 0) > 0, "\(String(describing: epochs))")
        notebook.shutdown()
    }

    @Test("an interrupt stops a busy loop within 100 ms and the session keeps its variables")
    func interrupt() throws {
        let notebook = NotebookClient()
        _ = notebook.run("var kept = 41")
        let request = notebook.send("execute_request", ["code": "var n = 0\nwhile true { n = n + 1 }"])
        Thread.sleep(forTimeInterval: 0.2)
        let start = ContinuousClock.now
        notebook.send("interrupt_request", on: .control)
        let reply = try #require(notebook.nextReply())
        #expect(ContinuousClock.now - start < .milliseconds(100))
        #expect(reply.parentMessageID == request.header.messageID)
        #expect(reply.content["ename"] == "Interrupted")
        _ = notebook.outputs(of: request)
        #expect(notebook.run("kept + 1").outputs.first?.content["data"]?["text/plain"] == "42")
        notebook.shutdown()
    }

    @Test("readLine asks the front end over stdin")
    func readLine() throws {
        let notebook = NotebookClient()
        let request = notebook.send(
            "execute_request", ["code": "let name = readLine(prompt: \"name? \") ?? \"nobody\"\nprint(\"hi \\(name)\")"]
        )
        let inputRequest = try #require(notebook.nextReply(on: .stdin))
        #expect(inputRequest.content["prompt"] == "name? ")
        notebook.send("input_reply", ["value": "Ada"], on: .stdin)
        #expect(notebook.nextReply()?.content["status"] == "ok")
        #expect(notebook.outputs(of: request).streamText == "hi Ada\n")
        notebook.shutdown()
    }

    @Test("complete, inspect and is_complete come from the session")
    func languageQueries() throws {
        let notebook = NotebookClient()
        notebook.send("complete_request", ["code": "clearOut", "cursor_pos": 8])
        let completion = try #require(notebook.nextReply())
        #expect(completion.content["matches"] == ["clearOutput"])
        #expect(completion.content["cursor_start"] == 0)
        notebook.send("inspect_request", ["code": "display", "cursor_pos": 3, "detail_level": 0])
        let inspection = try #require(notebook.nextReply())
        #expect(inspection.content["found"] == true)
        #expect(inspection.content["data"]?["text/plain"]?.stringValue?.contains("display") == true)
        notebook.send("is_complete_request", ["code": "func f() {"])
        #expect(notebook.nextReply()?.content["status"] == "incomplete")
        notebook.send("is_complete_request", ["code": "1 + 1"])
        #expect(notebook.nextReply()?.content["status"] == "complete")
        notebook.shutdown()
    }

    /// A kernel session holding `data` (iris, standardized) and an untrained `model` for it.
    static func notebookWithIrisModel() -> NotebookClient {
        let notebook = NotebookClient()
        _ = notebook.run(
            "let data = Dataset.iris().standardized()\n"
                + "let model = Sequential([Dense(4, 8, activation: .relu), Dense(8, 3)], seed: 1)")
        return notebook
    }
}
