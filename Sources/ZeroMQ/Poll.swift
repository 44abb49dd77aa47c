import CZeroMQ

/// Waits until at least one of the sockets has a message to receive, at most `timeout`
/// (forever when `nil`). Returns, for each socket in order, whether it is readable.
///
/// An interrupted wait (EINTR) returns all `false`, like a timeout.
public func poll(_ sockets: [Socket], timeout: Duration?) throws -> [Bool] {
    var items = sockets.map { zmq_pollitem_t(socket: $0.rawHandle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0) }
    let milliseconds: Int =
        timeout.map { duration in
            let (seconds, attoseconds) = duration.components
            return max(0, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
        } ?? -1
    let count = zmq_poll(&items, Int32(items.count), milliseconds)
    if count < 0 {
        let error = ZeroMQError.last("poll")
        if error.isInterrupted { return Array(repeating: false, count: sockets.count) }
        throw error
    }
    return items.map { $0.revents & Int16(ZMQ_POLLIN) != 0 }
}
