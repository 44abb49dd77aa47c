import Foundation
import Testing

@testable import JupyterKernel

@Suite("refused messages are dropped and logged, never executed", .timeLimit(.minutes(1)))
struct MalformedMessageTests {
    func frames(of kernel: KernelHarness, code: String) -> [Data] {
        kernel.codec.encode(kernel.makeRequest("execute_request", content: ["code": .string(code)]))
    }

    @Test("bad, missing and tampered signatures: no side effect, logged, kernel still answers")
    func signatures() throws {
        let kernel = KernelHarness()
        var frames = frames(of: kernel, code: "print pwned")
        let signature = frames.firstIndex(of: WireCodec.delimiter)! + 1
        var missing = frames
        missing[signature] = Data()
        var wrong = frames
        wrong[signature] = Data(String(repeating: "0", count: 64).utf8)
        frames[signature + 4] = Data(#"{"code":"print tampered"}"#.utf8)
        for bad in [missing, wrong, frames] {
            kernel.sendRaw(bad, on: .shell)
            kernel.sendRaw(bad, on: .control)
        }
        #expect(kernel.isResponsive())
        #expect(kernel.nextReply(timeout: .milliseconds(50)) == nil)
        let logs = kernel.logs
        #expect(logs.filter { $0.contains("signature") }.count == 6)
        // Nothing ran: the first real cell still gets execution count 1.
        #expect(kernel.execute("print ok").reply?.content["execution_count"] == 1)
        _ = kernel.shutdown()
    }

    @Test("malformed JSON, missing delimiter, truncated messages and bad headers on every channel")
    func malformedFrames() throws {
        let kernel = KernelHarness()
        let good = frames(of: kernel, code: "print x")
        let delimiter = good.firstIndex(of: WireCodec.delimiter)!
        func signed(_ parts: [String]) -> [Data] {
            let data = parts.map { Data($0.utf8) }
            return [KernelHarness.identity, WireCodec.delimiter, kernel.codec.signer.signature(of: data)] + data
        }
        let header = kernel.makeRequest("execute_request", content: [:]).header.json.jsonText
        var noDelimiter = good
        noDelimiter.remove(at: delimiter)
        let cases: [[Data]] = [
            noDelimiter,
            Array(good.prefix(delimiter + 3)),
            [Data("just one frame".utf8)],
            signed([header, "{}", "{}", "{\"code\": "]),
            signed(["[]", "{}", "{}", "{}"]),
            signed([#"{"msg_id":"x"}"#, "{}", "{}", "{}"]),
            signed(["\u{FF}garbage", "{}", "{}", "{}"]),
        ]
        for channel in [Channel.shell, .control, .stdin] {
            for frames in cases { kernel.sendRaw(frames, on: channel) }
        }
        #expect(kernel.isResponsive())
        #expect(kernel.logs.filter { $0.contains("dropped") }.count >= cases.count * 2)
        #expect(kernel.execute("print ok").reply?.content["execution_count"] == 1)
        _ = kernel.shutdown()
    }

    @Test("unknown message types are ignored with busy and idle; the client is not silenced")
    func unknownType() throws {
        let kernel = KernelHarness()
        let iopub = kernel.notify("frobnicate_request")
        #expect(iopub.types == ["status", "status"])
        #expect(kernel.logs.contains { $0.contains("frobnicate_request") })
        #expect(kernel.isResponsive())
        _ = kernel.shutdown()
    }
}
