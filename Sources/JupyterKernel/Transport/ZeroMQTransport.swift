import Foundation
import ZeroMQ

/// The real transport: ZeroMQ sockets bound as the connection file says (ROUTER for shell,
/// control and stdin, PUB for iopub, REP for heartbeat). The only file of JupyterKernel that
/// imports `ZeroMQ`.
public final class ZeroMQTransport: KernelTransport {
    private let context: Context
    public let connection: ConnectionInfo

    public init(connection: ConnectionInfo) throws {
        self.context = try Context()
        self.connection = connection
    }

    public func bind(_ channel: Channel) throws -> any ChannelSocket {
        let type: SocketType =
            switch channel {
            case .shell, .control, .stdin: .router
            case .iopub: .publisher
            case .heartbeat: .reply
            }
        let socket = try Socket(context: context, type: type)
        // No high-water mark: a flood of requests or a burst of output is queued, never dropped.
        try socket.setSendHighWaterMark(0)
        try socket.setReceiveHighWaterMark(0)
        // Let a last reply (shutdown_reply, the final idle) leave before the socket closes.
        try socket.setLinger(milliseconds: 1000)
        try socket.bind(connection.endpoint(of: channel))
        return ZeroMQChannelSocket(socket: socket, endpoint: try socket.lastEndpoint)
    }
}

/// A ZeroMQ socket as a `ChannelSocket`. `@unchecked Sendable`: it is created on the kernel's
/// main thread and then used only by the one thread it is handed to.
final class ZeroMQChannelSocket: ChannelSocket, @unchecked Sendable {
    private let socket: Socket
    let endpoint: String

    init(socket: Socket, endpoint: String) {
        self.socket = socket
        self.endpoint = endpoint
    }

    func send(_ frames: [Data]) throws { try socket.send(frames) }

    func receive(timeout: Duration?) throws -> [Data]? {
        if let frames = try socket.receiveMultipart(dontWait: true) { return frames }
        guard try socket.waitForInput(timeout: timeout) else { return nil }
        return try socket.receiveMultipart(dontWait: true)
    }

    func close() { socket.close() }
}
