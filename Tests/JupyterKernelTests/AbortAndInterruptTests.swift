import Foundation
import Testing

@testable import JupyterKernel

@Suite("stop_on_error aborts and interrupts", .timeLimit(.minutes(1)))
struct AbortAndInterruptTests {
    @Test("a failed cell aborts the execute requests queued behind it, but not other requests")
    func stopOnError() throws {
        let kernel = KernelHarness()
        // The failing cell takes a moment, so the requests below are surely queued behind it.
        let failing = kernel.send("execute_request", ["code": "sleep 200000\nfail first"])
        let queued = kernel.send("execute_request", ["code": "print never"])
        let info = kernel.send("kernel_info_request")
        let queued2 = kernel.send("execute_request", ["code": "print never either"])
        var replies: [String: Message] = [:]
        for _ in 0..<4 {
            let reply = try #require(kernel.nextReply())
            replies[reply.parentMessageID ?? ""] = reply
        }
        #expect(replies[failing.header.messageID]?.content["ename"] == "MockError")
        // As ipykernel: status "aborted" and no execution_count, so front ends leave the prompts empty.
        #expect(replies[queued.header.messageID]?.content == ["status": "aborted"])
        #expect(replies[queued2.header.messageID]?.content == ["status": "aborted"])
        #expect(replies[info.header.messageID]?.messageType == "kernel_info_reply")
        // Aborted requests still get busy and idle, so clients waiting for idle finish.
        #expect(kernel.iopub(for: queued).types == ["status", "status"])
        // After the abort the kernel runs cells again.
        #expect(kernel.execute("print again").reply?.content["status"] == "ok")
        _ = kernel.shutdown()
    }

    @Test("with stop_on_error false, the queued requests run")
    func noStopOnError() throws {
        let kernel = KernelHarness()
        kernel.send("execute_request", ["code": "sleep 200000\nfail first", "stop_on_error": false])
        kernel.send("execute_request", ["code": "print runs"])
        #expect(kernel.nextReply()?.content["status"] == "error")
        #expect(kernel.nextReply()?.content["status"] == "ok")
        _ = kernel.shutdown()
    }

    @Test("interrupt_request on control stops a busy cell within 100 ms")
    func interruptMessage() throws {
        let kernel = KernelHarness()
        let request = kernel.send("execute_request", ["code": "loop"])
        #expect(kernel.nextIOPub()?.content["execution_state"] == "busy")
        #expect(kernel.nextIOPub()?.messageType == "execute_input")
        Thread.sleep(forTimeInterval: 0.05)
        let start = ContinuousClock.now
        kernel.send("interrupt_request", on: .control)
        #expect(kernel.nextReply(on: .control)?.messageType == "interrupt_reply")
        let reply = try #require(kernel.nextReply())
        let elapsed = ContinuousClock.now - start
        #expect(reply.parentMessageID == request.header.messageID)
        #expect(reply.content["ename"] == "Interrupted")
        #expect(elapsed < .milliseconds(100), "took \(elapsed)")
        #expect(kernel.isResponsive())
        _ = kernel.shutdown()
    }

    @Test("control answers kernel_info while a cell runs")
    func controlWhileBusy() throws {
        let kernel = KernelHarness()
        kernel.send("execute_request", ["code": "loop"])
        kernel.send("kernel_info_request", on: .control)
        #expect(kernel.nextReply(on: .control)?.content["protocol_version"] == "5.5")
        // An interrupt that lands before the cell starts is a no-op (as in ipykernel): repeat it.
        var reply: Message?
        for _ in 0..<50 where reply == nil {
            kernel.interrupt()
            reply = kernel.nextReply(timeout: .milliseconds(100))
        }
        #expect(reply?.content["ename"] == "Interrupted")
        _ = kernel.shutdown()
    }

    @Test("an interrupt ends a wait for input")
    func interruptInput() throws {
        let kernel = KernelHarness()
        kernel.send("execute_request", ["code": "input never answered"])
        #expect(kernel.nextReply(on: .stdin)?.messageType == "input_request")
        kernel.interrupt()
        #expect(kernel.nextReply()?.content["ename"] == "Interrupted")
        _ = kernel.shutdown()
    }

    @Test("shutdown_request echoes restart and ends run(), returning the flag")
    func shutdownRestart() throws {
        let kernel = KernelHarness()
        let request = kernel.send("shutdown_request", ["restart": true], on: .control)
        let reply = try #require(kernel.nextReply(on: .control))
        #expect(reply.messageType == "shutdown_reply")
        #expect(reply.content["restart"] == true)
        #expect(kernel.iopub(for: request).types == ["status", "status"])
        _ = kernel.shutdown(restart: true)
    }

    @Test("a shutdown during a running cell stops it")
    func shutdownWhileBusy() throws {
        let kernel = KernelHarness()
        kernel.send("execute_request", ["code": "loop"])
        #expect(kernel.shutdown(restart: false) == false)
    }
}
