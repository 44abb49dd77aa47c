import Foundation

/// Where a kernel's channels come from: ZeroMQ sockets in production, queues in tests.
public protocol KernelTransport: Sendable {
    /// Binds the socket of one channel. Called once per channel, before the threads start.
    func bind(_ channel: Channel) throws -> any ChannelSocket
}

/// The kernel's end of one channel. Each socket is handed to exactly one thread, which is then
/// its only user (ZeroMQ sockets are not thread-safe); that hand-over is why it is `Sendable`.
public protocol ChannelSocket: AnyObject, Sendable {
    /// Sends one multipart message.
    func send(_ frames: [Data]) throws
    /// Waits at most `timeout` (forever when `nil`) for one multipart message; `nil` on timeout.
    func receive(timeout: Duration?) throws -> [Data]?
    /// Closes the socket; later calls fail.
    func close()
    /// Makes a `receive` that is waiting (or the next one) return `nil` at once. The one method
    /// another thread may call: it lets a thread hand the socket's owner work (a reply to send).
    /// The kernel wakes only its shell socket; a transport may make it a no-op on the others.
    func wakeUp()
}
