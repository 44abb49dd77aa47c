import Foundation

/// A transport made of in-process queues: the kernel's sockets on one side, a client's on the
/// other. Used by the protocol tests, so they run without ZeroMQ, ports or threads of libzmq.
public final class InMemoryTransport: KernelTransport {
    private let toKernel: [Channel: FrameQueue]
    private let fromKernel: [Channel: FrameQueue]

    public init() {
        toKernel = Dictionary(uniqueKeysWithValues: Channel.allCases.map { ($0, FrameQueue()) })
        fromKernel = Dictionary(uniqueKeysWithValues: Channel.allCases.map { ($0, FrameQueue()) })
    }

    public func bind(_ channel: Channel) throws -> any ChannelSocket {
        InMemorySocket(incoming: toKernel[channel]!, outgoing: fromKernel[channel]!)
    }

    /// The client's end of a channel: what it sends the kernel receives, and vice versa.
    public func client(_ channel: Channel) -> any ChannelSocket {
        InMemorySocket(incoming: fromKernel[channel]!, outgoing: toKernel[channel]!)
    }
}

/// One end of an in-memory channel.
final class InMemorySocket: ChannelSocket {
    private let incoming: FrameQueue
    private let outgoing: FrameQueue

    init(incoming: FrameQueue, outgoing: FrameQueue) {
        self.incoming = incoming
        self.outgoing = outgoing
    }

    func send(_ frames: [Data]) throws { outgoing.push(frames) }
    func receive(timeout: Duration?) throws -> [Data]? { incoming.pop(timeout: timeout) }
    func close() {}
    func wakeUp() { incoming.wakeUp() }
}

/// A blocking FIFO of multipart messages.
final class FrameQueue: @unchecked Sendable {
    // Every access to `messages` happens with `condition` locked.
    private let condition = NSCondition()
    private var messages: [[Data]] = []
    private var head = 0
    private var wakeRequested = false

    /// Makes the waiting (or next) `pop` return `nil`.
    func wakeUp() {
        condition.lock()
        wakeRequested = true
        condition.broadcast()
        condition.unlock()
    }

    func push(_ frames: [Data]) {
        condition.lock()
        messages.append(frames)
        condition.signal()
        condition.unlock()
    }

    func pop(timeout: Duration?) -> [Data]? {
        let deadline = timeout.map {
            Date().addingTimeInterval(Double($0.components.seconds) + Double($0.components.attoseconds) * 1e-18)
        }
        condition.lock()
        defer { condition.unlock() }
        while head == messages.count {
            if wakeRequested {
                wakeRequested = false
                return nil
            }
            if let deadline {
                if !condition.wait(until: deadline) && head == messages.count { return nil }
            } else {
                condition.wait()
            }
        }
        let frames = messages[head]
        head += 1
        if head > 1024 {
            messages.removeFirst(head)
            head = 0
        }
        return frames
    }
}
