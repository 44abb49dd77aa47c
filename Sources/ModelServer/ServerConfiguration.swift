// ServerConfiguration: where `rigor serve` listens and the bounds it enforces on every request.

/// The address and the limits of a ``ModelServer``.
public struct ServerConfiguration: Sendable {
    /// The interface to bind (loopback by default: expose it on purpose).
    public var host: String
    /// The port; 0 asks the system for a free one (tests), reported to `onStarted`.
    public var port: Int
    /// The largest request body accepted; larger ones get 413 before they are read in full.
    public var maximumBodyBytes: Int
    /// The most samples one request may carry (413 beyond).
    public var maximumBatch: Int
    /// Predictions that run at once, each on its own copy of the model.
    public var concurrency: Int
    /// Requests that may wait for a copy; beyond that the server answers 503 at once.
    public var queueLimit: Int

    public init(
        host: String = "127.0.0.1", port: Int = 8080, maximumBodyBytes: Int = 1 << 20, maximumBatch: Int = 256,
        concurrency: Int = 2, queueLimit: Int = 64
    ) {
        self.host = host
        self.port = port
        self.maximumBodyBytes = maximumBodyBytes
        self.maximumBatch = maximumBatch
        self.concurrency = concurrency
        self.queueLimit = queueLimit
    }
}
