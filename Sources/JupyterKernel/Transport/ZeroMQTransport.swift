import Foundation
import ZeroMQ

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The real transport: ZeroMQ sockets bound as the connection file says (ROUTER for shell,
/// control and stdin, XPUB for iopub, REP for heartbeat), each a CurveZMQ server when the
/// connection file has curve keys. The only file of JupyterKernel that imports `ZeroMQ`.
public final class ZeroMQTransport: KernelTransport {
    private let context: Context
    public let connection: ConnectionInfo

    /// Throws when the connection file asks for CurveZMQ and this libzmq cannot do it: the kernel
    /// never falls back to plain text when encryption was asked for.
    public init(connection: ConnectionInfo) throws {
        if connection.usesCurve && !Socket.hasCurve {
            throw ZeroMQError(code: EPROTONOSUPPORT, operation: "CurveZMQ (this libzmq has no libsodium)")
        }
        self.context = try Context()
        self.connection = connection
    }

    /// Whether this libzmq can encrypt with CurveZMQ.
    public static var supportsCurve: Bool { Socket.hasCurve }

    public func bind(_ channel: Channel) throws -> any ChannelSocket {
        let type: SocketType =
            switch channel {
            case .shell, .control, .stdin: .router
            // XPUB: a PUB that also hears subscriptions, to greet each subscriber (iopub_welcome).
            case .iopub: .extendedPublisher
            case .heartbeat: .reply
            }
        let socket = try Socket(context: context, type: type)
        // No high-water mark: a flood of requests or a burst of output is queued, never dropped.
        try socket.setSendHighWaterMark(0)
        try socket.setReceiveHighWaterMark(0)
        // Let a last reply (shutdown_reply, the final idle) leave before the socket closes.
        try socket.setLinger(milliseconds: 1000)
        if channel == .iopub { try socket.setVerboseSubscriptions(true) }
        if connection.usesCurve, let secretKey = connection.curveSecretKey {
            try socket.makeCurveServer(secretKey: secretKey)
        }
        try socket.bind(connection.endpoint(of: channel))
        return try ZeroMQChannelSocket(socket: socket, endpoint: try socket.lastEndpoint, wakeable: channel == .shell)
    }
}

/// A ZeroMQ socket as a `ChannelSocket`. `@unchecked Sendable`: it is created on the kernel's
/// main thread and then used only by the one thread that owns it at a time; other threads only
/// call `wakeUp`, which writes to a pipe that `receive` polls beside the socket. Only the shell
/// socket is ever woken (its router's outbox), so only it has the pipe; `wakeUp` on the others
/// does nothing.
final class ZeroMQChannelSocket: ChannelSocket, @unchecked Sendable {
    private let socket: Socket
    let endpoint: String
    /// The wake-up pipe: [read end, write end], non-blocking; empty when the socket is not woken.
    private let wakePipe: [Int32]

    init(socket: Socket, endpoint: String, wakeable: Bool) throws {
        self.socket = socket
        self.endpoint = endpoint
        var descriptors: [Int32] = [0, 0]
        if wakeable {
            guard pipe(&descriptors) == 0 else { throw ZeroMQError(code: errno, operation: "pipe") }
            for descriptor in descriptors { _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK) }
        }
        self.wakePipe = wakeable ? descriptors : []
    }

    deinit {
        for descriptor in wakePipe { closeDescriptor(descriptor) }
    }

    func send(_ frames: [Data]) throws { try socket.send(frames) }

    func receive(timeout: Duration?) throws -> [Data]? {
        if let frames = try socket.receiveMultipart(dontWait: true) { return frames }
        let ready = try poll([socket], fileDescriptors: Array(wakePipe.prefix(1)), timeout: timeout)
        if ready.fileDescriptors.first == true {
            var buffer = [UInt8](repeating: 0, count: 64)
            while read(wakePipe[0], &buffer, buffer.count) > 0 {}
            return nil
        }
        guard ready.sockets[0] else { return nil }
        return try socket.receiveMultipart(dontWait: true)
    }

    func wakeUp() {
        guard wakePipe.count == 2 else { return }
        var byte: UInt8 = 1
        _ = write(wakePipe[1], &byte, 1)
    }

    func close() { socket.close() }
}

/// `close(2)`, out of reach of `ChannelSocket.close()` inside the class.
private func closeDescriptor(_ descriptor: Int32) { _ = close(descriptor) }
