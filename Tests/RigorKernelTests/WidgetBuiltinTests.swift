import Foundation
import JupyterKernel
import RichDisplay
import Testing

@testable import RigorKernel

private func update(_ state: JSONValue) -> JSONValue { ["method": "update", "state": state, "buffer_paths": []] }

@Suite("Widget builtins over the kernel protocol", .timeLimit(.minutes(1)))
struct WidgetBuiltinTests {
    @Test("a slider as a value: shown, read and set from code (clamped), onChange after a front-end move")
    func slider() throws {
        let notebook = NotebookClient()
        let outputs = notebook.run(
            """
            let s = IntSlider(value: 3, max: 10, description: "n")
            s.onChange { value in print("now \\(value)") }
            s
            """
        ).outputs
        #expect(outputs.types == ["comm_open", "comm_open", "comm_open", "execute_result"])
        #expect(outputs[3].content["data"]?["text/plain"] == "IntSlider(value=3, description='n', max=10)")
        let id = try #require(outputs[2].content["comm_id"]?.stringValue)
        let move = notebook.comm("comm_msg", id: id, data: update(["value": 6]))
        #expect(notebook.messages(of: move, idles: 2).streamText == "now 6\n")
        #expect(notebook.run("s.value").outputs.first?.content["data"]?["text/plain"] == "6")
        let set = notebook.run("s.value = 20\ns.value").outputs
        #expect(set.first { $0.messageType == "comm_msg" }?.content["data"] == update(["value": 10]))
        #expect(set.first { $0.messageType == "execute_result" }?.content["data"]?["text/plain"] == "10")
        // The handler also runs for a change made by code, after the cell (its output has the cell as parent, and
        // may come before or after the cell's idle).
        #expect(set.streamText + notebook.drain().streamText == "now 10\n")
        let (reply, _) = notebook.run("s.value = \"six\"")
        #expect(reply?.content["ename"] == "TypeError" || reply?.content["ename"] == "ValueError")
        notebook.shutdown()
    }

    @Test("a dropdown's value is the option, the front end sends an index; a button's click runs onClick")
    func dropdownAndButton() throws {
        let notebook = NotebookClient()
        let outputs = notebook.run(
            """
            let width = Dropdown(options: [16, 32, 64], value: 32, description: "width")
            var clicks = 0
            let b = Button(description: "Run")
            b.onClick { clicks += 1 }
            HBox([width, b])
            """
        ).outputs
        let opens = outputs.filter { $0.messageType == "comm_open" }
        let dropdown = try #require(opens.first { $0.commState?["_model_name"] == "DropdownModel" })
        #expect(dropdown.commState?["_options_labels"] == ["16", "32", "64"])
        #expect(dropdown.commState?["index"] == 1)
        let box = try #require(opens.last)
        #expect(box.commState?["_model_name"] == "HBoxModel")
        #expect(box.commState?["children"]?.arrayValue?.count == 2)
        let dropdownID = try #require(dropdown.content["comm_id"]?.stringValue)
        _ = notebook.messages(of: notebook.comm("comm_msg", id: dropdownID, data: update(["index": 2])))
        #expect(notebook.run("width.value").outputs.first?.content["data"]?["text/plain"] == "64")
        let buttonID = try #require(opens.first { $0.commState?["_model_name"] == "ButtonModel" }?.content["comm_id"])
        let click = notebook.comm(
            "comm_msg", id: buttonID.stringValue!, data: ["method": "custom", "content": ["event": "click"]])
        _ = notebook.messages(of: click, idles: 2)
        #expect(notebook.run("clicks").outputs.first?.content["data"]?["text/plain"] == "1")
        notebook.shutdown()
    }
}
