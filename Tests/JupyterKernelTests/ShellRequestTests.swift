import Foundation
import Testing

@testable import JupyterKernel

@Suite("shell requests other than execute", .timeLimit(.minutes(1)))
struct ShellRequestTests {
    @Test("kernel_info_reply: protocol 5.5 with subshells, language_info, banner, help links; on shell and control")
    func kernelInfo() throws {
        let kernel = KernelHarness()
        for channel in [Channel.shell, .control] {
            let (reply, iopub) = kernel.roundTrip("kernel_info_request", on: channel)
            let content = try #require(reply?.content)
            #expect(content["protocol_version"] == "5.5")
            #expect(content["supported_features"] == ["kernel subshells"])
            #expect(content["language_info"]?["name"] == "mock")
            #expect(content["language_info"]?["file_extension"] == ".mock")
            #expect(content["banner"] == "Mock kernel")
            #expect(content["help_links"]?.arrayValue?.first?["url"] == "https://example.com")
            #expect(iopub.types == ["status", "status"])
        }
        _ = kernel.shutdown()
    }

    @Test("complete, inspect and is_complete pass through to the interpreter")
    func languageQueries() throws {
        let kernel = KernelHarness()
        let complete = kernel.roundTrip("complete_request", ["code": "value 1\npri", "cursor_pos": 11]).reply
        #expect(complete?.content["matches"] == ["print"])
        #expect(complete?.content["cursor_start"] == 8)
        #expect(complete?.content["cursor_end"] == 11)
        let found = kernel.roundTrip("inspect_request", ["code": "print", "cursor_pos": 2, "detail_level": 0]).reply
        #expect(found?.content["found"] == true)
        #expect(found?.content["data"]?["text/plain"] == "print TEXT: writes TEXT to stdout")
        let missing = kernel.roundTrip("inspect_request", ["code": "zzz", "cursor_pos": 1]).reply
        #expect(missing?.content["found"] == false)
        #expect(kernel.roundTrip("is_complete_request", ["code": "x"]).reply?.content == ["status": "complete"])
        #expect(
            kernel.roundTrip("is_complete_request", ["code": "if {"]).reply?.content
                == ["status": "incomplete", "indent": "    "])
        #expect(kernel.roundTrip("is_complete_request", ["code": "} x"]).reply?.content == ["status": "invalid"])
        _ = kernel.shutdown()
    }

    @Test("history: tail, range and search with unique, with and without output")
    func history() throws {
        let kernel = KernelHarness()
        for code in ["value 1", "print a", "value 1", "value 2"] { _ = kernel.execute(code) }
        let tail = kernel.roundTrip("history_request", ["hist_access_type": "tail", "n": 2, "output": false]).reply
        #expect(tail?.content["history"] == [[1, 3, "value 1"], [1, 4, "value 2"]])
        let withOutput = kernel.roundTrip("history_request", ["hist_access_type": "tail", "n": 1, "output": true])
        #expect(withOutput.reply?.content["history"] == [[1, 4, ["value 2", "2"]]])
        let range = kernel.roundTrip(
            "history_request", ["hist_access_type": "range", "session": 0, "start": 2, "stop": 4]
        ).reply
        #expect(range?.content["history"] == [[1, 2, "print a"], [1, 3, "value 1"]])
        let search = kernel.roundTrip("history_request", ["hist_access_type": "search", "pattern": "value*"]).reply
        #expect(search?.content["history"]?.arrayValue?.count == 3)
        let unique = kernel.roundTrip(
            "history_request", ["hist_access_type": "search", "pattern": "val?e *", "unique": true]
        ).reply
        #expect(unique?.content["history"] == [[1, 3, "value 1"], [1, 4, "value 2"]])
        _ = kernel.shutdown()
    }

    @Test("comm_open to an unknown target is answered with comm_close; known comms are listed and echo")
    func comms() throws {
        let kernel = KernelHarness()
        let unknown = kernel.notify(
            "comm_open", ["comm_id": "c0", "target_name": "jupyter.widget.control", "data": [:]])
        #expect(unknown.types == ["status", "comm_close", "status"])
        #expect(unknown[1].content["comm_id"] == "c0")
        let known = kernel.notify("comm_open", ["comm_id": "c1", "target_name": "echo", "data": ["x": 1]])
        #expect(known.types == ["status", "comm_msg", "status"])
        let info = kernel.roundTrip("comm_info_request", [:]).reply
        #expect(info?.content["comms"] == ["c1": ["target_name": "echo"]])
        let filtered = kernel.roundTrip("comm_info_request", ["target_name": "other"]).reply
        #expect(filtered?.content["comms"] == [:])
        let message = kernel.notify("comm_msg", ["comm_id": "c1", "data": ["y": 2]])
        #expect(message[1].content["data"] == ["echo": ["y": 2]])
        _ = kernel.notify("comm_close", ["comm_id": "c1", "data": [:]])
        #expect(kernel.roundTrip("comm_info_request", [:]).reply?.content["comms"] == [:])
        _ = kernel.shutdown()
    }

    @Test("comm messages on the main shell during a cell: at once when the interpreter handles comms concurrently")
    func commsWhileACellRuns() throws {
        for concurrent in [true, false] {
            let kernel = KernelHarness(concurrentComms: concurrent)
            let cell = kernel.send("execute_request", ["code": "loop"])
            Thread.sleep(forTimeInterval: 0.1)
            let open = kernel.send("comm_open", ["comm_id": "c1", "target_name": "echo", "data": [:]])
            var seen: [String] = []
            while let message = kernel.nextIOPub(timeout: .milliseconds(500)) {
                if message.parentMessageID == open.header.messageID {
                    seen.append(
                        message.messageType == "status"
                            ? message.content["execution_state"]?.stringValue ?? "" : message.messageType)
                } else if message.parentMessageID == cell.header.messageID,
                    message.content["execution_state"] == "busy", !seen.isEmpty
                {
                    seen.append("busy again for the cell")
                }
            }
            if concurrent {
                #expect(seen == ["busy", "comm_msg", "idle", "busy again for the cell"])
            } else {
                #expect(seen.isEmpty)  // waits for the cell
            }
            kernel.interrupt()
            #expect(kernel.nextReply()?.content["ename"] == "Interrupted")
            _ = kernel.shutdown()
        }
    }

    @Test("a flood of 2,000 execute requests is answered in order, nothing lost")
    func flood() throws {
        let kernel = KernelHarness()
        let requests = (0..<2000).map { kernel.send("execute_request", ["code": .string("value \($0)")]) }
        for (index, request) in requests.enumerated() {
            let reply = try #require(kernel.nextReply())
            #expect(reply.parentMessageID == request.header.messageID)
            #expect(reply.content["execution_count"] == .int(index + 1))
        }
        _ = kernel.shutdown()
    }
}
