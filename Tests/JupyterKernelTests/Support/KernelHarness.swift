import Foundation
import JupyterKernel
import RichDisplay
import Synchronization

/// Runs a `Kernel` with a `MockInterpreter` over an `InMemoryTransport` on its own thread and
/// plays the client: signed requests in, decoded replies and iopub messages out.
final class KernelHarness: Sendable {
    static let key = "a-test-key"
    static let identity = Data("client-1".utf8)

    let transport = InMemoryTransport()
    let codec = WireCodec(key: KernelHarness.key)
    let session = UUID().uuidString
    private let logLines = Mutex<[String]>([])
    private let finished = DispatchSemaphore(value: 0)
    private let restartResult = Mutex<Bool?>(nil)
    private let handle = Mutex<InterruptHandle?>(nil)
    private let iopubBacklog = Mutex<[Message]>([])

    init(
        flushInterval: Duration = .milliseconds(5), stopOnErrorWindow: Duration = .milliseconds(20),
        concurrentComms: Bool = false
    ) {
        let ready = DispatchSemaphore(value: 0)
        let thread = Thread { [self] in
            let logger = KernelLogger { line in self.logLines.withLock { $0.append(line) } }
            let kernel = Kernel(
                interpreter: MockInterpreter(handlesCommsConcurrently: concurrentComms), transport: transport,
                key: Self.key, logger: logger,
                streamFlushInterval: flushInterval, stopOnErrorWindow: stopOnErrorWindow)
            handle.withLock { $0 = kernel.interruptHandle }
            ready.signal()
            let restart = try? kernel.run()
            restartResult.withLock { $0 = restart }
            finished.signal()
        }
        thread.start()
        ready.wait()
        // The kernel announces itself first.
        let starting = nextIOPub()
        precondition(starting?.content["execution_state"] == "starting", "no status: starting")
    }

    var logs: [String] { logLines.withLock { $0 } }

    func interrupt() { handle.withLock { $0 }?.interrupt() }

    /// A signed request, as a client would build it.
    func makeRequest(_ type: String, content: JSONValue) -> Message {
        var header = MessageHeader(messageType: type, session: session, username: "tester")
        header.version = "5.3"
        return Message(identities: [Self.identity], header: header, content: content)
    }

    @discardableResult
    func send(_ type: String, _ content: JSONValue = [:], on channel: Channel = .shell) -> Message {
        let request = makeRequest(type, content: content)
        sendRaw(codec.encode(request), on: channel)
        return request
    }

    func sendRaw(_ frames: [Data], on channel: Channel) {
        try! transport.client(channel).send(frames)
    }

    /// The next message the kernel sends on a ROUTER channel (shell, control, stdin).
    func nextReply(on channel: Channel = .shell, timeout: Duration = .seconds(5)) -> Message? {
        guard let frames = try? transport.client(channel).receive(timeout: timeout) else { return nil }
        return try? codec.decode(frames)
    }

    func nextIOPub(timeout: Duration = .seconds(5)) -> Message? {
        let queued = iopubBacklog.withLock { backlog in backlog.isEmpty ? nil : backlog.removeFirst() }
        if let queued { return queued }
        guard let frames = try? transport.client(.iopub).receive(timeout: timeout) else { return nil }
        return try? codec.decode(frames)
    }

    /// The iopub messages answering `request`, from its busy to its idle (inclusive).
    func iopub(for request: Message, timeout: Duration = .seconds(5)) -> [Message] {
        var collected: [Message] = []
        var others: [Message] = []
        while let message = nextIOPub(timeout: timeout) {
            guard message.parentMessageID == request.header.messageID else {
                others.append(message)
                continue
            }
            collected.append(message)
            if message.messageType == "status", message.content["execution_state"] == "idle" { break }
        }
        iopubBacklog.withLock { $0.insert(contentsOf: others, at: 0) }
        return collected
    }

    /// Sends a request and returns its reply and its iopub messages.
    func roundTrip(
        _ type: String, _ content: JSONValue = [:], on channel: Channel = .shell
    ) -> (
        reply: Message?, iopub: [Message]
    ) {
        let request = send(type, content, on: channel)
        let reply = nextReply(on: channel)
        return (reply, iopub(for: request))
    }

    /// Sends a message that gets no reply (comm messages, unknown types); returns its iopub messages.
    func notify(_ type: String, _ content: JSONValue = [:]) -> [Message] {
        iopub(for: send(type, content))
    }

    func execute(_ code: String, _ extra: [String: JSONValue] = [:]) -> (reply: Message?, iopub: [Message]) {
        var content: [String: JSONValue] = ["code": .string(code), "silent": false, "store_history": true]
        content.merge(extra) { _, new in new }
        return roundTrip("execute_request", .object(content))
    }

    /// Whether the kernel still answers: kernel_info on shell and control.
    func isResponsive() -> Bool {
        let shell = roundTrip("kernel_info_request").reply
        let control = roundTrip("kernel_info_request", on: .control).reply
        return shell?.messageType == "kernel_info_reply" && control?.messageType == "kernel_info_reply"
    }

    /// Asks for shutdown and waits for `run()` to return; the restart flag it returned.
    func shutdown(restart: Bool = false) -> Bool? {
        _ = send("shutdown_request", ["restart": .bool(restart)], on: .control)
        _ = nextReply(on: .control)
        guard finished.wait(timeout: .now() + 5) == .success else { return nil }
        return restartResult.withLock { $0 }
    }
}

extension [Message] {
    var types: [String] { map(\.messageType) }
}
