import Foundation
import JupyterKernel
import RichDisplay
import Testing

@testable import RigorKernel

/// The messages Rigor sends for each front-end message, against a trace of what ipykernel 7.4 with ipywidgets
/// 8.1.9 sends for the same ones (`Fixtures/ipywidgets-trace.jsonl`, recorded by
/// `Tests/Python/widgets/record_ipywidgets_trace.py`). Compared by shape: message types, comm targets, methods,
/// model names, the keys of every state and the values of small ones, and the MIME types of displays.
/// Streams, errors, statuses and `execute_input` are left out (they differ by language, not by protocol).
@Suite("Widget protocol: Rigor against an ipywidgets reference trace", .timeLimit(.minutes(1)))
struct WidgetProtocolTests {
    struct Recorded {
        let step: String
        let direction: String
        let type: String
        let content: JSONValue
        let metadata: JSONValue
    }

    static let trace: [Recorded] = {
        let url = Bundle.module.url(forResource: "ipywidgets-trace", withExtension: "jsonl", subdirectory: "Fixtures")!
        let text = try! String(contentsOf: url, encoding: .utf8)
        return text.split(separator: "\n").map { line in
            let json = try! JSONValue(parsing: Data(line.utf8))
            return Recorded(
                step: json["step"]!.stringValue!, direction: json["direction"]!.stringValue!,
                type: json["msg_type"]!.stringValue!, content: json["content"]!, metadata: json["metadata"] ?? [:])
        }
    }()

    /// One message as a comparable line.
    static func shape(type: String, content: JSONValue, metadata: JSONValue) -> String? {
        switch type {
        case "comm_open":
            let state = content["data"]?["state"]
            let keys = state?.objectValue?.keys.sorted().joined(separator: ",") ?? ""
            let target = content["target_name"]?.stringValue ?? ""
            let model = state?["_model_name"]?.stringValue ?? ""
            return "comm_open \(target) \(model) [\(keys)] metadata \(metadata.jsonText)"
        case "comm_msg":
            let data = content["data"] ?? [:]
            let method = data["method"]?.stringValue ?? ""
            if method == "update_states" {
                return "comm_msg update_states \(data["states"]?.objectValue?.count ?? -1) models"
            }
            let state = data["state"]?.objectValue ?? [:]
            let described =
                state.count <= 2
                ? state.keys.sorted().map { "\($0)=\(state[$0]!.jsonText)" }.joined(separator: ",")
                : state.keys.sorted().joined(separator: ",")
            return "comm_msg \(method) [\(described)] buffer_paths=\(data["buffer_paths"]?.jsonText ?? "-")"
        case "comm_close":
            return "comm_close"
        case "execute_result", "display_data":
            return "\(type) \(content["data"]?.objectValue?.keys.sorted().joined(separator: ",") ?? "")"
        default:
            return nil
        }
    }

    static func expected(_ step: String) -> [String] {
        trace.filter { $0.step == step && $0.direction == "recv" }.compactMap {
            shape(type: $0.type, content: $0.content, metadata: $0.metadata)
        }
    }

    static func actual(_ messages: [Message]) -> [String] {
        messages.compactMap { shape(type: $0.messageType, content: $0.content, metadata: $0.metadata) }
    }

    @Test("every step of the reference trace, in order")
    func replay() throws {
        let notebook = NotebookClient.withWidgets()
        var compared: Set<String> = []
        func check(_ step: String, _ messages: [Message], rigorAlsoSends extra: [String] = []) {
            compared.insert(step)
            #expect(Self.actual(messages) == Self.expected(step) + extra, "step '\(step)'")
        }
        func comm(_ type: String, _ id: String, _ data: JSONValue, metadata: JSONValue = [:]) -> [Message] {
            notebook.messages(of: notebook.comm(type, id: id, data: data, metadata: metadata))
        }
        func update(_ state: JSONValue) -> JSONValue { ["method": "update", "state": state, "buffer_paths": []] }

        check(
            "control: open",
            comm("comm_open", "control", ["target_name": "jupyter.widget.control"], metadata: ["version": "1.0.0"]))
        check("control: request_states with no widgets", comm("comm_msg", "control", ["method": "request_states"]))

        let created = notebook.run("let s = slider { _ in }\ns").outputs
        check("create and display an IntSlider", created)
        let slider = try #require(
            created.last?.content["data"]?["application/vnd.jupyter.widget-view+json"]?["model_id"]?.stringValue)
        let recordedText = Self.trace.first {
            $0.step == "create and display an IntSlider" && $0.type == "execute_result"
        }
        #expect(created.last?.content["data"]?["text/plain"] == recordedText?.content["data"]?["text/plain"])

        check("update from the front end", comm("comm_msg", slider, update(["value": 6])))
        check("update out of range (clamped)", comm("comm_msg", slider, update(["value": 200])))
        // ipywidgets publishes the TraitError as an `error` and leaves the front end showing "six"; Rigor logs it
        // and sets the front end back to the kernel's value.
        check(
            "update of the wrong type (rejected)", comm("comm_msg", slider, update(["value": "six"])),
            rigorAlsoSends: ["comm_msg update [value=10] buffer_paths=[]"])
        check("update of an unknown key", comm("comm_msg", slider, update(["nonexistent_trait": 1])))
        check("request_state", comm("comm_msg", slider, ["method": "request_state"]))
        check("kernel sets the value", notebook.run("setSlider(widgetID(s), 4)").outputs)

        let button = notebook.run("let b = button { print(\"clicked\") }\nb").outputs
        check("button", button)
        let buttonID = try #require(
            button.last?.content["data"]?["application/vnd.jupyter.widget-view+json"]?["model_id"]?.stringValue)
        let click = notebook.comm("comm_msg", id: buttonID, data: ["method": "custom", "content": ["event": "click"]])
        let clicked = notebook.messages(of: click, idles: 2)
        check("button click (custom)", clicked)
        #expect(clicked.isEmpty || clicked.allSatisfy { $0.messageType == "stream" })

        check("message to an unknown comm", comm("comm_msg", "no-such-comm", update(["value": 1])))
        check("control: request_states", comm("comm_msg", "control", ["method": "request_states"]))
        check("front end closes the slider's comm", comm("comm_close", slider, [:]))
        check("update to a closed comm", comm("comm_msg", slider, update(["value": 5])))
        check("kernel closes a widget", notebook.run("closeWidget(widgetID(b))").outputs)

        // Every step of the trace is compared, except those that need ipywidgets' Python API or `interact`.
        let skipped: Set<String> = ["import ipywidgets (registers the control target)", "interact", "interact: move x"]
        #expect(Set(Self.trace.map(\.step)).subtracting(skipped) == compared)
        notebook.shutdown()
    }
}
