import Foundation
import RichDisplay
import Synchronization

/// A Jupyter kernel: binds the five channels of a transport, runs an interpreter on the shell
/// thread, and answers control and heartbeat on their own threads so they respond while a cell
/// runs.
///
/// ```swift
/// let kernel = Kernel(interpreter: MyInterpreter(), transport: try ZeroMQTransport(connection: info),
///                     key: info.key)
/// let restart = try kernel.run()   // returns after shutdown_request
/// ```
public final class Kernel {
    let interpreter: any KernelInterpreter
    let transport: any KernelTransport
    let codec: WireCodec
    let logger: KernelLogger
    let factory: MessageFactory
    let iopub: IOPubQueue
    let state = KernelState()

    let history: History
    let comms = CommTable()
    /// How long after a failed cell (with `stop_on_error`) execute requests still arriving are
    /// aborted: the window restarts with each one, and the failed cell's reply waits for it.
    let stopOnErrorWindow: Duration
    /// Held by whoever uses the interpreter: the shell thread for each request, a subshell for a
    /// request that needs the session's state (see `Kernel+Subshells`).
    let interpreterLock = NSLock()
    /// Completion, inspection and is-complete for subshells while a cell runs (made on first use).
    let assistant: ConcurrentAssistantSlot

    // Shell-thread state (a subshell's `execute_request` uses it under `interpreterLock`).
    var executionCount = 0
    /// Shell messages read while aborting the queue, to handle after it.
    var pendingShellMessages: [Message] = []
    /// The shell socket's router, while `run` runs.
    var router: ShellRouter?
    /// The header of the main shell's request being handled (for the status after a comm handled meanwhile).
    let runningParent = Mutex<JSONValue?>(nil)

    /// - Parameters:
    ///   - key: the connection file's signing key ("" for unsigned messages).
    ///   - streamFlushInterval: how long stream text may wait to be batched into one message.
    ///   - history: where `history_request` finds earlier sessions (`.memory`: nowhere).
    ///   - stopOnErrorWindow: how long execute requests arriving after a failed cell are aborted.
    public init(
        interpreter: any KernelInterpreter, transport: any KernelTransport, key: String,
        signatureScheme: String = "hmac-sha256", logger: KernelLogger = .standardError,
        streamFlushInterval: Duration = .milliseconds(10), history: History.Location = .memory,
        stopOnErrorWindow: Duration = .milliseconds(50)
    ) {
        self.interpreter = interpreter
        self.transport = transport
        self.codec = WireCodec(key: key, scheme: signatureScheme, digests: DigestHistory())
        self.logger = logger
        self.factory = MessageFactory(session: UUID().uuidString.lowercased())
        self.iopub = IOPubQueue(factory: factory, flushInterval: streamFlushInterval)
        self.history = History(location: history, logger: logger)
        self.stopOnErrorWindow = stopOnErrorWindow
        self.assistant = ConcurrentAssistantSlot(interpreter: interpreter)
        self.kernelInfoContent = Self.kernelInfoContent(of: interpreter)
    }

    /// A handle that interrupts the running cell, like an `interrupt_request` does. Sendable, for
    /// signal handlers and tests.
    public var interruptHandle: InterruptHandle { state.interruptHandle }

    /// Runs until a `shutdown_request`; returns whether the client asked for a restart.
    /// The calling thread becomes the shell thread.
    public func run() throws -> Bool {
        let shell = try transport.bind(.shell)
        let control = try transport.bind(.control)
        let stdin = try transport.bind(.stdin)
        let iopubSocket = try transport.bind(.iopub)
        let heartbeat = try transport.bind(.heartbeat)
        state.setInterpreterInterrupt(interpreter.makeInterruptHandler())

        let threads = DispatchGroup()
        let (iopub, codec, logger, state, factory) = (self.iopub, self.codec, self.logger, self.state, self.factory)
        let kernelInfo = kernelInfoContent
        let router = ShellRouter(
            socket: shell, logger: logger,
            decode: { frames in
                do {
                    return try codec.decode(frames)
                } catch {
                    logger.log("shell: dropped a message (\(error))")
                    return nil
                }
            },
            refuse: { request in
                let parent = request.header.json
                iopub.publish(type: "status", content: ["execution_state": "busy"], parent: parent)
                defer { iopub.publish(type: "status", content: ["execution_state": "idle"], parent: parent) }
                guard request.messageType.hasSuffix("_request") else { return nil }
                let id = request.header.json["subshell_id"]?.stringValue ?? ""
                let content: JSONValue = [
                    "status": "error", "ename": "UnknownSubshellError",
                    "evalue": .string("no subshell with id '\(id)'"), "traceback": [],
                ]
                let type = String(request.messageType.dropLast("_request".count)) + "_reply"
                return codec.encode(factory.reply(to: request, type: type, content: content))
            },
            concurrentMain: interpreter.handlesCommsConcurrently
                ? { [weak self] message in
                    self?.handleCommWhileBusy(message) ?? false
                } : nil)
        self.router = router
        let subshellHandler = makeSubshellHandler(router: router)
        Self.spawn("rigor-iopub", in: threads) { iopub.run(socket: iopubSocket, codec: codec, logger: logger) }
        iopub.publish(type: "status", content: ["execution_state": "starting"], parent: .emptyObject)
        Self.spawn("rigor-heartbeat", in: threads) {
            Self.runHeartbeat(socket: heartbeat, state: state, logger: logger)
        }
        Self.spawn("rigor-control", in: threads) {
            ControlLoop(
                socket: control, codec: codec, factory: factory, iopub: iopub, state: state, logger: logger,
                kernelInfo: kernelInfo, router: router, subshellHandler: subshellHandler
            ).run()
        }
        Self.spawn("rigor-shell-pump", in: threads) { router.runPump() }

        runShell(router: router, stdin: stdin)
        router.stop()
        // Until a subshell's running cell (if any) has ended, the control thread keeps
        // interrupting; a subshell cell that starts after this sees the shutdown and does not run.
        interpreterLock.withLock {
            state.markShellFinished()
            interpreter.shutdown(restart: state.restartRequested)
        }
        history.close()
        iopub.stop()
        threads.wait()
        self.router = nil
        for socket in [shell, control, stdin, iopubSocket, heartbeat] { socket.close() }
        return state.restartRequested
    }

    private static func spawn(_ name: String, in group: DispatchGroup, _ body: @escaping @Sendable () -> Void) {
        group.enter()
        let thread = Thread {
            body()
            group.leave()
        }
        thread.name = name
        thread.start()
    }

    /// Echoes every heartbeat ping until shutdown.
    private static func runHeartbeat(socket: any ChannelSocket, state: KernelState, logger: KernelLogger) {
        while !state.shutdownRequested {
            do {
                if let ping = try socket.receive(timeout: .milliseconds(100)) { try socket.send(ping) }
            } catch {
                logger.log("heartbeat: \(error)")
            }
        }
    }

    /// The shell loop: one message at a time, until shutdown.
    private func runShell(router: ShellRouter, stdin: any ChannelSocket) {
        while !state.shutdownRequested {
            let message =
                pendingShellMessages.isEmpty
                ? router.nextForMain(timeout: .milliseconds(50)) : pendingShellMessages.removeFirst()
            guard let message else { continue }
            if !interpreterLock.try() {
                // A subshell's cell holds the interpreter: let the pump serve the socket meanwhile.
                router.beginBusy()
                interpreterLock.lock()
                router.endBusy()
            }
            runningParent.withLock { $0 = message.header.json }
            handleShell(message, shell: router.socket, stdin: stdin)
            runningParent.withLock { $0 = nil }
            interpreterLock.unlock()
        }
    }

    /// Decodes and authenticates frames; logs and returns `nil` for anything refused.
    func decode(_ frames: [Data], channel: Channel) -> Message? {
        do {
            return try codec.decode(frames)
        } catch {
            logger.log("\(channel): dropped a message (\(error))")
            return nil
        }
    }

    func send(_ message: Message, on socket: any ChannelSocket) {
        do {
            try socket.send(codec.encode(message))
        } catch {
            logger.log("cannot send \(message.messageType): \(error)")
        }
    }

    /// The content of every `kernel_info_reply`, made once (subshells answer it without the
    /// interpreter).
    let kernelInfoContent: JSONValue

    private static func kernelInfoContent(of interpreter: any KernelInterpreter) -> JSONValue {
        let info = interpreter.kernelInfo
        return [
            "status": "ok", "protocol_version": .string(MessageHeader.protocolVersion),
            "implementation": .string(info.implementation),
            "implementation_version": .string(info.implementationVersion), "language_info": info.language.json,
            "banner": .string(info.banner),
            "help_links": .array(info.helpLinks.map { ["text": .string($0.text), "url": .string($0.url)] }),
            "debugger": false,
            // Protocol 5.5 (JEP 91): create/list/delete_subshell_request on control.
            "supported_features": ["kernel subshells"],
        ]
    }
}
