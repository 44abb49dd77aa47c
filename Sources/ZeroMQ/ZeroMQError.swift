import CZeroMQ

/// A failed libzmq call: the `errno` it set and libzmq's own description of it.
public struct ZeroMQError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The `errno` value (`EAGAIN`, `ETERM`, `EINTR`, …).
    public var code: Int32
    /// What was being done, e.g. `bind tcp://127.0.0.1:5555`.
    public var operation: String

    public init(code: Int32, operation: String) {
        self.code = code
        self.operation = operation
    }

    /// The error for the calling thread's current `zmq_errno()`.
    static func last(_ operation: String) -> ZeroMQError {
        ZeroMQError(code: zmq_errno(), operation: operation)
    }

    public var description: String {
        "\(operation): \(String(cString: zmq_strerror(code)))"
    }

    /// The operation would have blocked (a timeout or a non-blocking call with nothing to do).
    public var isWouldBlock: Bool { code == EAGAIN }

    /// The context was terminated while the call was waiting.
    public var isContextTerminated: Bool { code == ETERM }

    /// A signal interrupted the call; retrying is the usual answer.
    public var isInterrupted: Bool { code == EINTR }
}
