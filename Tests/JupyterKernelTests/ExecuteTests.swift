import Foundation
import Testing

@testable import JupyterKernel

@Suite("execute_request: message order, parent headers, counts", .timeLimit(.minutes(1)))
struct ExecuteTests {
    @Test("busy, execute_input, stream, display_data, execute_result, idle; reply ok with the count")
    func order() throws {
        let kernel = KernelHarness()
        let request = kernel.send("execute_request", ["code": "print hello\ndisplay d1 shown\nvalue 42"])
        let reply = try #require(kernel.nextReply())
        let iopub = kernel.iopub(for: request)
        #expect(iopub.types == ["status", "execute_input", "stream", "display_data", "execute_result", "status"])
        #expect(iopub.first?.content["execution_state"] == "busy")
        #expect(iopub[1].content["code"] == "print hello\ndisplay d1 shown\nvalue 42")
        #expect(iopub[1].content["execution_count"] == 1)
        #expect(iopub[2].content == ["name": "stdout", "text": "hello\n"])
        #expect(iopub[3].content["transient"]?["display_id"] == "d1")
        #expect(iopub[4].content["data"]?["text/html"] == "<b>42</b>")
        #expect(iopub[4].content["execution_count"] == 1)
        for message in iopub + [reply] {
            #expect(message.parentHeader == request.header.json, "\(message.messageType) has the wrong parent")
        }
        #expect(reply.messageType == "execute_reply")
        #expect(reply.identities == [KernelHarness.identity])
        #expect(reply.content["status"] == "ok")
        #expect(reply.content["execution_count"] == 1)
        #expect(kernel.shutdown() == false)
    }

    @Test("the execution count grows with each stored cell; silent cells neither count nor echo")
    func counts() throws {
        let kernel = KernelHarness()
        #expect(kernel.execute("print a").reply?.content["execution_count"] == 1)
        let silent = kernel.execute("value 1\nprint quiet", ["silent": true])
        #expect(silent.reply?.content["execution_count"] == 1)
        #expect(silent.iopub.types == ["status", "stream", "status"])
        #expect(kernel.execute("print b", ["store_history": false]).reply?.content["execution_count"] == 1)
        #expect(kernel.execute("print c").reply?.content["execution_count"] == 2)
        _ = kernel.shutdown()
    }

    @Test("an error publishes one error message with a traceback and replies status error")
    func error() throws {
        let kernel = KernelHarness()
        let (reply, iopub) = kernel.execute("fail boom")
        #expect(iopub.types == ["status", "execute_input", "error", "status"])
        #expect(iopub[2].content["ename"] == "MockError")
        #expect(iopub[2].content["traceback"]?.arrayValue?.isEmpty == false)
        #expect(reply?.content["status"] == "error")
        #expect(reply?.content["evalue"] == "boom")
        #expect(reply?.content["execution_count"] == 1)
        _ = kernel.shutdown()
    }

    @Test("stdout and stderr are separate streams; many writes are batched into few messages")
    func streams() throws {
        let kernel = KernelHarness(flushInterval: .milliseconds(50))
        let (_, iopub) = kernel.execute("print out\neprint err\nspam 10000")
        let streams = iopub.filter { $0.messageType == "stream" }
        #expect(streams.first?.content == ["name": "stdout", "text": "out\n"])
        #expect(streams.dropFirst().first?.content == ["name": "stderr", "text": "err\n"])
        let spam = streams.dropFirst(2).compactMap { $0.content["text"]?.stringValue }.joined()
        #expect(spam.split(separator: "\n").count == 10000)
        #expect(streams.count < 20)
        _ = kernel.shutdown()
    }

    @Test("update_display_data and clear_output carry the display id and the wait flag")
    func displayUpdates() throws {
        let kernel = KernelHarness()
        let (_, iopub) = kernel.execute("display p 0%\nclear\nupdate p 100%")
        #expect(
            iopub.types == ["status", "execute_input", "display_data", "clear_output", "update_display_data", "status"])
        #expect(iopub[3].content["wait"] == true)
        #expect(iopub[4].content["transient"]?["display_id"] == "p")
        #expect(iopub[4].content["data"]?["text/plain"] == "100%")
        _ = kernel.shutdown()
    }

    @Test("user_expressions are evaluated after the cell, errors included")
    func userExpressions() throws {
        let kernel = KernelHarness()
        let reply = kernel.execute("print x", ["user_expressions": ["good": "abc", "broken": "bad"]]).reply
        #expect(reply?.content["user_expressions"]?["good"]?["status"] == "ok")
        #expect(reply?.content["user_expressions"]?["good"]?["data"]?["text/plain"] == "ABC")
        #expect(reply?.content["user_expressions"]?["broken"]?["status"] == "error")
        _ = kernel.shutdown()
    }

    @Test("readLine sends input_request on stdin to the requester and returns input_reply's value")
    func stdin() throws {
        let kernel = KernelHarness()
        // A reply nobody asked for, sent before the cell runs, must not answer it.
        kernel.send("input_reply", ["value": "stale"], on: .stdin)
        let request = kernel.send("execute_request", ["code": "input name?", "allow_stdin": true])
        let inputRequest = try #require(kernel.nextReply(on: .stdin))
        #expect(inputRequest.messageType == "input_request")
        #expect(inputRequest.content["prompt"] == "name?")
        #expect(inputRequest.identities == [KernelHarness.identity])
        #expect(inputRequest.parentHeader == request.header.json)
        var wrongParent = kernel.makeRequest("input_reply", content: ["value": "wrong"])
        wrongParent.parentHeader = ["msg_id": "someone-else"]
        kernel.sendRaw(kernel.codec.encode(wrongParent), on: .stdin)
        var answer = kernel.makeRequest("input_reply", content: ["value": "Ada"])
        answer.parentHeader = inputRequest.header.json
        kernel.sendRaw(kernel.codec.encode(answer), on: .stdin)
        #expect(kernel.nextReply()?.content["status"] == "ok")
        let texts = kernel.iopub(for: request).filter { $0.messageType == "stream" }.compactMap { $0.content["text"] }
        #expect(texts == ["got Ada\n"])
        _ = kernel.shutdown()
    }

    @Test("readLine fails cleanly when the client does not allow stdin")
    func stdinNotAllowed() throws {
        let kernel = KernelHarness()
        let reply = kernel.execute("input x", ["allow_stdin": false]).reply
        #expect(reply?.content["ename"] == "StdinNotAllowed")
        _ = kernel.shutdown()
    }
}
