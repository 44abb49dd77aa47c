import Synchronization

/// The one cross-thread signal: set by the kernel's control channel (or SIGINT), checked by the
/// interpreter at loop back-edges and calls, and by long builtins through `CallContext`.
public final class InterruptFlag: Sendable {
    private let requested = Atomic<Bool>(false)

    public init() {}

    /// Asks the running cell to stop; safe from any thread.
    public func request() { requested.store(true, ordering: .relaxed) }

    public var isRequested: Bool { requested.load(ordering: .relaxed) }

    /// Clears the flag (the session does this before each cell).
    public func clear() { requested.store(false, ordering: .relaxed) }
}
