import CZeroMQ

/// A libzmq context: owns the I/O threads that every socket made from it uses.
///
/// libzmq contexts are thread-safe, so a context may be shared; its sockets may not.
public final class Context: @unchecked Sendable {
    // The handle is only read after init, and libzmq documents contexts as thread-safe.
    let handle: UnsafeMutableRawPointer

    public init() throws {
        guard let handle = zmq_ctx_new() else { throw ZeroMQError.last("zmq_ctx_new") }
        self.handle = handle
    }

    deinit {
        // Retry on EINTR: zmq_ctx_term blocks until every socket is closed.
        while zmq_ctx_term(handle) != 0 && zmq_errno() == EINTR {}
    }

    /// The libzmq version as (major, minor, patch).
    public static var version: (major: Int, minor: Int, patch: Int) {
        var major: Int32 = 0
        var minor: Int32 = 0
        var patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return (Int(major), Int(minor), Int(patch))
    }
}
