import Synchronization

/// The flags the kernel's threads share.
final class KernelState: Sendable {
    private let shutdown = Atomic<Bool>(false)
    private let restart = Atomic<Bool>(false)
    private let interrupted = Atomic<Bool>(false)
    private let shellFinished = Atomic<Bool>(false)
    private let interpreterInterrupt = Mutex<(@Sendable () -> Void)?>(nil)

    var shutdownRequested: Bool { shutdown.load(ordering: .acquiring) }
    var restartRequested: Bool { restart.load(ordering: .acquiring) }

    /// Whether an interrupt arrived since the current request started (used while waiting for input).
    var interruptRequested: Bool { interrupted.load(ordering: .acquiring) }

    func requestShutdown(restart: Bool) {
        self.restart.store(restart, ordering: .releasing)
        shutdown.store(true, ordering: .releasing)
        interrupt()
    }

    func setInterpreterInterrupt(_ handler: @escaping @Sendable () -> Void) {
        interpreterInterrupt.withLock { $0 = handler }
    }

    func interrupt() {
        interrupted.store(true, ordering: .releasing)
        let handler = interpreterInterrupt.withLock { $0 }
        handler?()
    }

    /// Whether the shell loop has ended (after a shutdown request).
    var isShellFinished: Bool { shellFinished.load(ordering: .acquiring) }

    func markShellFinished() { shellFinished.store(true, ordering: .releasing) }

    func clearInterrupt() { interrupted.store(false, ordering: .releasing) }

    var interruptHandle: InterruptHandle { InterruptHandle(state: self) }
}
