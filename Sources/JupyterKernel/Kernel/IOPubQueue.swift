import Foundation
import RichDisplay

/// The iopub channel's outbox: any thread publishes, and messages leave in the order published.
///
/// The PUB socket is guarded by `isSending`: whoever sets it (under the lock) is the socket's only
/// user until it clears it, which also gives libzmq the memory barrier it asks for when a socket
/// changes threads. When nothing is queued, a publishing thread sends its message itself (no
/// thread hop on the request path); otherwise the message is queued for the iopub thread (`run`).
///
/// Stream text is batched: consecutive writes to the same stream for the same request join one
/// `stream` message, sent after `flushInterval` or as soon as anything else is queued behind it.
final class IOPubQueue: @unchecked Sendable {
    private enum Item {
        case message(Message)
        case stream(name: String, text: String, parent: JSONValue, queuedAt: ContinuousClock.Instant)
    }

    // Everything below is read and written with `condition` locked.
    private let condition = NSCondition()
    private var items: [Item] = []
    private var queuedCount = 0
    private var sentCount = 0
    private var pendingFlushes = 0
    private var stopping = false
    private var isSending = false
    /// Where messages go, set while `run` is running.
    private var sink: Sink?

    private struct Sink {
        let socket: any ChannelSocket
        let codec: WireCodec
        let logger: KernelLogger

        func send(_ message: Message) {
            do {
                try socket.send(codec.encode(message))
            } catch {
                logger.log("iopub: cannot send \(message.messageType): \(error)")
            }
        }
    }

    private let factory: MessageFactory
    private let flushInterval: Duration
    /// Stream batches stop growing at this size, so one message stays reasonable.
    private let maximumBatchBytes = 1 << 20

    init(factory: MessageFactory, flushInterval: Duration) {
        self.factory = factory
        self.flushInterval = flushInterval
    }

    /// Queues a message of `type` with `content` (and the message's `metadata`), answering `parent`.
    func publish(type: String, content: JSONValue, parent: JSONValue, metadata: JSONValue = .emptyObject) {
        let message = factory.broadcast(type: type, content: content, parent: parent, metadata: metadata)
        condition.lock()
        queuedCount += 1
        if items.isEmpty, !isSending, let sink {
            isSending = true
            condition.unlock()
            sink.send(message)
            condition.lock()
            isSending = false
            sentCount += 1
            condition.broadcast()
            condition.unlock()
            return
        }
        items.append(.message(message))
        condition.signal()
        condition.unlock()
    }

    /// Appends text to the named stream (`stdout` or `stderr`).
    func appendStream(name: String, text: String, parent: JSONValue) {
        guard !text.isEmpty else { return }
        condition.lock()
        defer { condition.unlock() }
        if case .stream(let lastName, let lastText, let lastParent, let queuedAt)? = items.last,
            lastName == name, lastParent == parent, lastText.utf8.count < maximumBatchBytes
        {
            items[items.count - 1] = .stream(name: name, text: lastText + text, parent: parent, queuedAt: queuedAt)
            return
        }
        items.append(.stream(name: name, text: text, parent: parent, queuedAt: .now))
        queuedCount += 1
        condition.signal()
    }

    /// Blocks until everything queued so far has been sent (stream text included).
    func flush() {
        condition.lock()
        defer { condition.unlock() }
        let target = queuedCount
        guard sentCount < target else { return }
        pendingFlushes += 1
        condition.broadcast()
        while sentCount < target && !stopping { condition.wait() }
        pendingFlushes -= 1
    }

    /// Sends what is queued, then makes `run` return.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    /// How often an idle iopub thread looks for new subscriptions, in seconds.
    private let subscriptionCheckInterval = 0.01

    /// Answers every new subscription waiting on the socket with an `iopub_welcome` on that topic
    /// (JEP 65, protocol 5.5): a client that sees it knows its SUB socket is connected. An XPUB
    /// socket delivers a subscription as one frame, `0x01` + topic (`0x00` + topic: unsubscribe).
    private func greetNewSubscribers(sink: Sink) {
        while let frames = try? sink.socket.receive(timeout: .zero) {
            for frame in frames where frame.first == 1 {
                guard let topic = String(data: frame.dropFirst(), encoding: .utf8) else { continue }
                let welcome = Message(
                    identities: topic.isEmpty ? [] : [Data(topic.utf8)],
                    header: MessageHeader(messageType: "iopub_welcome", session: factory.session),
                    parentHeader: .emptyObject, content: ["subscription": .string(topic)])
                sink.send(welcome)
            }
        }
    }

    /// The iopub thread: sends what is queued until stopped; socket errors are logged, never fatal.
    func run(socket: any ChannelSocket, codec: WireCodec, logger: KernelLogger) {
        condition.lock()
        sink = Sink(socket: socket, codec: codec, logger: logger)
        while true {
            if items.isEmpty || isSending {
                if stopping && items.isEmpty && !isSending { break }
                // Idle: look for new subscribers now and then (an XPUB socket hears them).
                if !condition.wait(until: Date().addingTimeInterval(subscriptionCheckInterval)), items.isEmpty,
                    !isSending, !stopping
                {
                    isSending = true
                    let sink = self.sink!
                    condition.unlock()
                    greetNewSubscribers(sink: sink)
                    condition.lock()
                    isSending = false
                    condition.broadcast()
                }
                continue
            }
            // A lone stream batch waits a little for more text, unless someone is flushing.
            if items.count == 1, pendingFlushes == 0, !stopping, case .stream(_, _, _, let queuedAt) = items[0] {
                let remaining = queuedAt.advanced(by: flushInterval) - ContinuousClock.now
                if remaining > .zero {
                    let (seconds, attoseconds) = remaining.components
                    _ = condition.wait(until: Date().addingTimeInterval(Double(seconds) + Double(attoseconds) * 1e-18))
                    continue
                }
            }
            let batch = items
            items.removeAll(keepingCapacity: true)
            isSending = true
            let sink = self.sink!
            condition.unlock()
            for item in batch {
                switch item {
                case .message(let message): sink.send(message)
                case .stream(let name, let text, let parent, _):
                    sink.send(
                        factory.broadcast(
                            type: "stream", content: ["name": .string(name), "text": .string(text)], parent: parent))
                }
            }
            condition.lock()
            isSending = false
            sentCount += batch.count
            condition.broadcast()
        }
        sink = nil
        condition.unlock()
    }
}
