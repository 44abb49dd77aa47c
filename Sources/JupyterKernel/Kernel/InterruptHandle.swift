/// Interrupts a kernel's running cell from any thread (SIGINT handlers, tests).
public struct InterruptHandle: Sendable {
    let state: KernelState

    public func interrupt() { state.interrupt() }
}
