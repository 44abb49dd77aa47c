import CZeroMQ
import Foundation

/// One libzmq socket. Not thread-safe: a socket belongs to one thread at a time.
public final class Socket {
    private var handle: UnsafeMutableRawPointer?
    /// Keeps the context alive as long as the socket.
    private let context: Context
    public let type: SocketType

    public init(context: Context, type: SocketType) throws {
        guard let handle = zmq_socket(context.handle, type.rawValue) else {
            throw ZeroMQError.last("zmq_socket")
        }
        self.handle = handle
        self.context = context
        self.type = type
    }

    deinit { close() }

    /// Closes the socket; pending outgoing messages are kept for the linger period.
    public func close() {
        if let handle {
            zmq_close(handle)
            self.handle = nil
        }
    }

    var rawHandle: UnsafeMutableRawPointer {
        guard let handle else { preconditionFailure("use of a closed ZeroMQ socket") }
        return handle
    }

    /// Binds to an endpoint such as `tcp://127.0.0.1:5555` or `tcp://127.0.0.1:*`.
    public func bind(_ endpoint: String) throws {
        guard zmq_bind(rawHandle, endpoint) == 0 else { throw ZeroMQError.last("bind \(endpoint)") }
    }

    /// Connects to an endpoint.
    public func connect(_ endpoint: String) throws {
        guard zmq_connect(rawHandle, endpoint) == 0 else { throw ZeroMQError.last("connect \(endpoint)") }
    }

    /// The endpoint the socket last bound to, with the actual port when bound to `*`.
    public var lastEndpoint: String {
        get throws {
            var buffer = [CChar](repeating: 0, count: 256)
            var size = buffer.count
            guard zmq_getsockopt(rawHandle, ZMQ_LAST_ENDPOINT, &buffer, &size) == 0 else {
                throw ZeroMQError.last("getsockopt ZMQ_LAST_ENDPOINT")
            }
            return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    /// Sends the frames as one multipart message; blocks unless `dontWait`.
    public func send(_ frames: [Data], dontWait: Bool = false) throws {
        precondition(!frames.isEmpty, "a ZeroMQ message has at least one frame")
        for (index, frame) in frames.enumerated() {
            var flags: Int32 = index < frames.count - 1 ? ZMQ_SNDMORE : 0
            if dontWait { flags |= ZMQ_DONTWAIT }
            while true {
                let sent = frame.withUnsafeBytes { bytes in
                    zmq_send(rawHandle, bytes.baseAddress, bytes.count, flags)
                }
                if sent >= 0 { break }
                let error = ZeroMQError.last("send")
                if error.isInterrupted { continue }
                throw error
            }
        }
    }

    /// Receives one multipart message; `nil` when `dontWait` is set and nothing is waiting.
    public func receiveMultipart(dontWait: Bool = false) throws -> [Data]? {
        var frames: [Data] = []
        var message = zmq_msg_t()
        zmq_msg_init(&message)
        defer { zmq_msg_close(&message) }
        while true {
            let received = zmq_msg_recv(&message, rawHandle, dontWait && frames.isEmpty ? ZMQ_DONTWAIT : 0)
            if received < 0 {
                let error = ZeroMQError.last("receive")
                if error.isInterrupted { continue }
                if error.isWouldBlock && frames.isEmpty { return nil }
                throw error
            }
            let size = zmq_msg_size(&message)
            if let data = zmq_msg_data(&message), size > 0 {
                frames.append(Data(bytes: data, count: size))
            } else {
                frames.append(Data())
            }
            if zmq_msg_more(&message) == 0 { return frames }
        }
    }

    /// Waits until a message can be received, at most `timeout` (forever when `nil`).
    /// Returns whether one is ready.
    public func waitForInput(timeout: Duration?) throws -> Bool {
        try poll([self], timeout: timeout).first ?? false
    }
}
