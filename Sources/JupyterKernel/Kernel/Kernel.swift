import Foundation

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

    // Shell-thread state.
    var executionCount = 0
    var history = History()
    let comms = CommTable()
    /// Shell messages read while aborting the queue, to handle after it.
    var pendingShellMessages: [Message] = []

    /// - Parameters:
    ///   - key: the connection file's signing key ("" for unsigned messages).
    ///   - streamFlushInterval: how long stream text may wait to be batched into one message.
    public init(
        interpreter: any KernelInterpreter, transport: any KernelTransport, key: String,
        signatureScheme: String = "hmac-sha256", logger: KernelLogger = .standardError,
        streamFlushInterval: Duration = .milliseconds(10)
    ) {
        self.interpreter = interpreter
        self.transport = transport
        self.codec = WireCodec(key: key, scheme: signatureScheme)
        self.logger = logger
        self.factory = MessageFactory(session: UUID().uuidString.lowercased())
        self.iopub = IOPubQueue(factory: factory, flushInterval: streamFlushInterval)
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
        Self.spawn("rigor-iopub", in: threads) { iopub.run(socket: iopubSocket, codec: codec, logger: logger) }
        iopub.publish(type: "status", content: ["execution_state": "starting"], parent: .emptyObject)
        Self.spawn("rigor-heartbeat", in: threads) {
            Self.runHeartbeat(socket: heartbeat, state: state, logger: logger)
        }
        Self.spawn("rigor-control", in: threads) {
            ControlLoop(
                socket: control, codec: codec, factory: factory, iopub: iopub, state: state, logger: logger,
                kernelInfo: kernelInfo
            ).run()
        }

        runShell(shell: shell, stdin: stdin)
        state.markShellFinished()

        interpreter.shutdown(restart: state.restartRequested)
        iopub.stop()
        threads.wait()
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
    private func runShell(shell: any ChannelSocket, stdin: any ChannelSocket) {
        while !state.shutdownRequested {
            if !pendingShellMessages.isEmpty {
                handleShell(pendingShellMessages.removeFirst(), shell: shell, stdin: stdin)
                continue
            }
            let frames: [Data]?
            do {
                frames = try shell.receive(timeout: .milliseconds(50))
            } catch {
                logger.log("shell: \(error)")
                continue
            }
            guard let frames else { continue }
            guard let message = decode(frames, channel: .shell) else { continue }
            handleShell(message, shell: shell, stdin: stdin)
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

    /// The content of every `kernel_info_reply`.
    var kernelInfoContent: JSONValue {
        let info = interpreter.kernelInfo
        return [
            "status": "ok", "protocol_version": .string(MessageHeader.protocolVersion),
            "implementation": .string(info.implementation),
            "implementation_version": .string(info.implementationVersion), "language_info": info.language.json,
            "banner": .string(info.banner),
            "help_links": .array(info.helpLinks.map { ["text": .string($0.text), "url": .string($0.url)] }),
            "debugger": false,
        ]
    }
}
