import Foundation
import JupyterKernel
import RichDisplay
import Synchronization

@testable import RigorKernel

/// Runs a `Kernel` with a `RigorInterpreter` over an `InMemoryTransport` and plays the
/// notebook: signed requests in, decoded replies and iopub messages out.
final class NotebookClient: Sendable {
    let transport = InMemoryTransport()
    let codec = WireCodec(key: "rigor-test-key")
    let session = UUID().uuidString
    private let finished = DispatchSemaphore(value: 0)

    /// `setUp` may register builtins on the interpreter before the kernel starts.
    init(setUp: @escaping @Sendable (RigorInterpreter) -> Void = { _ in }) {
        let ready = DispatchSemaphore(value: 0)
        let thread = Thread { [self] in
            let interpreter = RigorInterpreter(log: { _ in })
            setUp(interpreter)
            let kernel = Kernel(
                interpreter: interpreter, transport: transport, key: "rigor-test-key", logger: .silent,
                streamFlushInterval: .milliseconds(5))
            ready.signal()
            _ = try? kernel.run()
            finished.signal()
        }
        thread.stackSize = 8 << 20
        thread.start()
        ready.wait()
        _ = nextIOPub()  // status: starting
    }

    @discardableResult
    func send(
        _ type: String, _ content: JSONValue = [:], metadata: JSONValue = [:], on channel: Channel = .shell
    ) -> Message {
        var header = MessageHeader(messageType: type, session: session, username: "tester")
        header.version = "5.3"
        let request = Message(identities: [Data("nb".utf8)], header: header, metadata: metadata, content: content)
        try! transport.client(channel).send(codec.encode(request))
        return request
    }

    func nextReply(on channel: Channel = .shell, timeout: Duration = .seconds(10)) -> Message? {
        guard let frames = try? transport.client(channel).receive(timeout: timeout) else { return nil }
        return try? codec.decode(frames)
    }

    func nextIOPub(timeout: Duration = .seconds(10)) -> Message? {
        guard let frames = try? transport.client(.iopub).receive(timeout: timeout) else { return nil }
        return try? codec.decode(frames)
    }

    /// The outputs of a request (everything between busy and idle, exclusive).
    func outputs(of request: Message) -> [Message] {
        var collected: [Message] = []
        while let message = nextIOPub() {
            guard message.parentMessageID == request.header.messageID else { continue }
            if message.messageType == "status" {
                if message.content["execution_state"] == "idle" { break }
                continue
            }
            collected.append(message)
        }
        return collected
    }

    /// Runs a cell; its reply and its outputs (execute_input left out).
    func run(_ code: String) -> (reply: Message?, outputs: [Message]) {
        let request = send("execute_request", ["code": .string(code), "silent": false, "store_history": true])
        let reply = nextReply()
        return (reply, outputs(of: request).filter { $0.messageType != "execute_input" })
    }

    func shutdown() {
        send("shutdown_request", ["restart": false], on: .control)
        _ = nextReply(on: .control)
        _ = finished.wait(timeout: .now() + 10)
    }
}

extension [Message] {
    var types: [String] { map(\.messageType) }
    var streamText: String {
        filter { $0.messageType == "stream" }.compactMap { $0.content["text"]?.stringValue }.joined()
    }
}
