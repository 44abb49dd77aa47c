import Foundation

/// The shell socket's owner and postman: it reads shell messages, hands those with a
/// `subshell_id` header to that subshell's thread, and sends the subshells' replies.
///
/// ZeroMQ sockets are not thread-safe, so one thread at a time owns the socket:
///
/// * the **shell thread** owns it while it is idle or handling a request; it reads its own
///   messages directly (no thread hop on the request path) and routes the others;
/// * while the shell thread runs a cell (`beginBusy` … `endBusy`) and at least one subshell
///   exists (or the interpreter handles comms concurrently), the **pump thread** takes the socket
///   over after `takeOverDelay` (so a short cell costs nothing), reads and routes, handles the main
///   shell's comm messages at once (`concurrentMain`), and keeps its other messages until it is free.
///
/// Subshell threads never touch the socket: `send` queues their frames in an outbox and wakes the
/// owner (`ChannelSocket.wakeUp`), which sends them.
final class ShellRouter: @unchecked Sendable {
    let socket: any ChannelSocket
    private let decode: ([Data]) -> Message?
    /// The frames answering a request for a subshell that does not exist (nil: no reply).
    private let refuse: (Message) -> [Data]?
    private let logger: KernelLogger
    private let takeOverDelay: Duration
    /// Takes a main-shell message that may be handled while the shell thread runs a cell (a comm message, for an
    /// interpreter that `handlesCommsConcurrently`) and returns `true` once it handled it; with one, the pump
    /// serves the socket during every cell, subshells or not.
    private let concurrentMain: ((Message) -> Bool)?

    // Everything below is read and written with `condition` locked.
    private let condition = NSCondition()
    private var pumpOwnsSocket = false
    private var wantSocketBack = false
    private var busySince: ContinuousClock.Instant?
    private var outbox: [[Data]] = []
    private var forMain: [Message] = []
    private var subshells: [String: Subshell] = [:]
    private var subshellOrder: [String] = []
    private var stopping = false

    init(
        socket: any ChannelSocket, logger: KernelLogger, takeOverDelay: Duration = .milliseconds(5),
        decode: @escaping ([Data]) -> Message?, refuse: @escaping (Message) -> [Data]?,
        concurrentMain: ((Message) -> Bool)? = nil
    ) {
        self.concurrentMain = concurrentMain
        self.socket = socket
        self.logger = logger
        self.takeOverDelay = takeOverDelay
        self.decode = decode
        self.refuse = refuse
    }

    // MARK: the shell thread

    /// The next message for the main shell, waiting at most `timeout`; `nil` on timeout. Sends the
    /// subshells' queued replies and routes their requests meanwhile. Shell thread only, not busy.
    func nextForMain(timeout: Duration) -> Message? {
        let deadline = ContinuousClock.now + timeout
        while true {
            flushOutbox()
            condition.lock()
            let pending = forMain.isEmpty ? nil : forMain.removeFirst()
            condition.unlock()
            if let pending { return pending }
            // A zero timeout still takes a message that is already waiting.
            let remaining = max(deadline - ContinuousClock.now, .zero)
            var frames: [Data]?
            do {
                frames = try socket.receive(timeout: remaining)
            } catch {
                logger.log("shell: \(error)")
            }
            if let frames {
                if let message = decode(frames), let mine = route(message) { return mine }
                continue
            }
            // A timeout, or a wake-up (a subshell's reply to send): loop until the deadline.
            if ContinuousClock.now >= deadline { return nil }
        }
    }

    /// Sends a reply of the main shell. Shell thread only, not busy.
    func sendFromMain(_ frames: [Data]) throws { try socket.send(frames) }

    /// The shell thread starts a cell: the pump may take the socket over.
    func beginBusy() {
        condition.lock()
        busySince = .now
        if pumpsWhileBusy { condition.broadcast() }
        condition.unlock()
    }

    /// The cell ended: the shell thread owns the socket again when this returns.
    func endBusy() {
        condition.lock()
        busySince = nil
        if pumpOwnsSocket {
            wantSocketBack = true
            condition.unlock()
            socket.wakeUp()
            condition.lock()
            while pumpOwnsSocket { condition.wait() }
        }
        condition.unlock()
    }

    // MARK: subshells (any thread)

    /// Queues frames (a subshell's reply) for the socket's owner to send.
    func send(_ frames: [Data]) {
        condition.lock()
        outbox.append(frames)
        condition.unlock()
        socket.wakeUp()
    }

    /// Starts a subshell whose thread runs `handler` on each of its messages, in order; returns its id.
    func createSubshell(handler: @escaping @Sendable (Message) -> Void) -> String {
        let id = UUID().uuidString.lowercased()
        let subshell = Subshell(id: id, handler: handler)
        condition.lock()
        subshells[id] = subshell
        subshellOrder.append(id)
        condition.broadcast()
        condition.unlock()
        subshell.start()
        return id
    }

    /// Stops a subshell (after the message it is handling); `false` when there is no such subshell.
    func deleteSubshell(id: String) -> Bool {
        condition.lock()
        let subshell = subshells.removeValue(forKey: id)
        subshellOrder.removeAll { $0 == id }
        condition.unlock()
        subshell?.stop()
        return subshell != nil
    }

    /// The ids of the live subshells, oldest first.
    var subshellIDs: [String] {
        condition.lock()
        defer { condition.unlock() }
        return subshellOrder
    }

    // MARK: the pump thread

    /// The pump thread: takes the socket over while the shell thread runs a cell and subshells
    /// exist, until `stop`.
    func runPump() {
        condition.lock()
        while !stopping {
            guard let since = busySince, pumpsWhileBusy, !pumpOwnsSocket else {
                condition.wait()
                continue
            }
            let takeAt = since + takeOverDelay
            let now = ContinuousClock.now
            if now < takeAt {
                let (seconds, attoseconds) = (takeAt - now).components
                _ = condition.wait(until: Date().addingTimeInterval(Double(seconds) + Double(attoseconds) * 1e-18))
                continue
            }
            pumpOwnsSocket = true
            condition.unlock()
            pump()
            condition.lock()
            pumpOwnsSocket = false
            wantSocketBack = false
            condition.broadcast()
        }
        condition.unlock()
    }

    /// Reads and routes until the shell thread wants the socket back.
    private func pump() {
        while true {
            flushOutbox()
            condition.lock()
            let done = wantSocketBack || stopping
            condition.unlock()
            if done { return }
            do {
                guard let frames = try socket.receive(timeout: .milliseconds(100)), let message = decode(frames)
                else { continue }
                if let mine = route(message) {
                    if let concurrentMain, concurrentMain(mine) { continue }
                    condition.lock()
                    forMain.append(mine)
                    condition.unlock()
                }
            } catch {
                logger.log("shell: \(error)")
            }
        }
    }

    /// Whether the pump takes the socket over during a cell. Called with `condition` locked.
    private var pumpsWhileBusy: Bool { !subshells.isEmpty || concurrentMain != nil }

    /// Ends the pump and every subshell.
    func stop() {
        condition.lock()
        stopping = true
        let all = Array(subshells.values)
        subshells = [:]
        subshellOrder = []
        condition.broadcast()
        condition.unlock()
        for subshell in all { subshell.stop() }
        socket.wakeUp()
    }

    // MARK: routing

    /// Hands a subshell's message to its thread and returns `nil`; returns the main shell's.
    /// Called by the socket's owner only (it may send a refusal).
    private func route(_ message: Message) -> Message? {
        guard case .string(let id)? = message.header.json["subshell_id"] else { return message }
        condition.lock()
        let subshell = subshells[id]
        condition.unlock()
        guard let subshell else {
            // As ipykernel 7: an error reply (with busy and idle), so the client does not wait.
            logger.log("shell: \(message.messageType) for unknown subshell \(id) refused")
            if let frames = refuse(message) {
                do {
                    try socket.send(frames)
                } catch {
                    logger.log("shell: cannot send \(message.messageType)'s refusal: \(error)")
                }
            }
            return nil
        }
        subshell.enqueue(message)
        return nil
    }

    private func flushOutbox() {
        condition.lock()
        let frames = outbox
        outbox.removeAll()
        condition.unlock()
        for message in frames {
            do {
                try socket.send(message)
            } catch {
                logger.log("shell: cannot send a subshell reply: \(error)")
            }
        }
    }
}

/// One subshell: a thread that handles its messages one at a time, in order.
final class Subshell: @unchecked Sendable {
    let id: String
    private let handler: @Sendable (Message) -> Void
    // `queue` and `stopped` are read and written with `condition` locked.
    private let condition = NSCondition()
    private var queue: [Message] = []
    private var stopped = false

    init(id: String, handler: @escaping @Sendable (Message) -> Void) {
        self.id = id
        self.handler = handler
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "rigor-subshell"
        thread.start()
    }

    func enqueue(_ message: Message) {
        condition.lock()
        queue.append(message)
        condition.signal()
        condition.unlock()
    }

    func stop() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while queue.isEmpty && !stopped { condition.wait() }
            if stopped {
                condition.unlock()
                return
            }
            let message = queue.removeFirst()
            condition.unlock()
            handler(message)
        }
    }
}

/// A subshell's view of the shell channel: what it sends goes through the router's outbox.
final class SubshellReplySocket: ChannelSocket {
    private let router: ShellRouter

    init(router: ShellRouter) { self.router = router }

    func send(_ frames: [Data]) throws { router.send(frames) }
    func receive(timeout: Duration?) throws -> [Data]? { nil }
    func close() {}
    func wakeUp() {}
}
