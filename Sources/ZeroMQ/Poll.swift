import CZeroMQ

/// Waits until at least one of the sockets has a message to receive, at most `timeout`
/// (forever when `nil`). Returns, for each socket in order, whether it is readable.
///
/// An interrupted wait (EINTR) returns all `false`, like a timeout.
public func poll(_ sockets: [Socket], timeout: Duration?) throws -> [Bool] {
    try poll(sockets, fileDescriptors: [], timeout: timeout).sockets
}

/// Like `poll(_:timeout:)`, also waiting for plain file descriptors (a pipe another thread writes
/// to, to wake the poller). Returns which sockets and which descriptors are readable.
public func poll(
    _ sockets: [Socket], fileDescriptors: [Int32], timeout: Duration?
) throws -> (sockets: [Bool], fileDescriptors: [Bool]) {
    var items = sockets.map { zmq_pollitem_t(socket: $0.rawHandle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0) }
    items += fileDescriptors.map { zmq_pollitem_t(socket: nil, fd: $0, events: Int16(ZMQ_POLLIN), revents: 0) }
    let milliseconds: Int =
        timeout.map { duration in
            let (seconds, attoseconds) = duration.components
            return max(0, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
        } ?? -1
    let count = zmq_poll(&items, Int32(items.count), milliseconds)
    if count < 0 {
        let error = ZeroMQError.last("poll")
        if error.isInterrupted {
            return (
                Array(repeating: false, count: sockets.count), Array(repeating: false, count: fileDescriptors.count)
            )
        }
        throw error
    }
    let ready = items.map { $0.revents & Int16(ZMQ_POLLIN) != 0 }
    return (Array(ready[..<sockets.count]), Array(ready[sockets.count...]))
}
