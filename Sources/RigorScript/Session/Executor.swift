import Foundation

/// Executor: runs cells on one dedicated thread with a large stack, so deep (but legal) recursion
/// works and too-deep recursion becomes an error instead of a crash.
final class Executor: @unchecked Sendable {
    static let stackSize = 1 << 29  // 512 MiB of address space; pages are touched only when used
    /// Stack kept free below the recursion limit for builtins and error handling.
    static let stackMargin = 32 << 20

    private let condition = NSCondition()
    private var job: (() -> Void)?
    private var stopping = false
    private var thread: Thread?
    /// The top of the executor thread's stack, once it started.
    private(set) var stackTop: UInt = 0

    init() {
        // The thread keeps the executor alive until `stop()`.
        let thread = Thread { self.loop() }
        thread.stackSize = Executor.stackSize
        thread.name = "rigor-executor"
        self.thread = thread
        thread.start()
        condition.lock()
        while stackTop == 0 { condition.wait() }
        condition.unlock()
    }

    /// The lowest stack address script calls may reach.
    var stackLimit: UInt { stackTop - UInt(Executor.stackSize - Executor.stackMargin) }

    private func loop() {
        condition.lock()
        stackTop = CallContext.stackAddress()
        condition.broadcast()
        condition.unlock()
        while true {
            condition.lock()
            while job == nil && !stopping { condition.wait() }
            guard let work = job else {
                condition.unlock()
                return
            }
            condition.unlock()
            work()
            condition.lock()
            job = nil
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Ends the thread once the current job (if any) is done.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    /// Runs `body` on the executor thread and waits for it.
    func run<T>(_ body: @escaping () -> T) -> T {
        if Thread.current == thread { return body() }
        var result: T?
        let done = DispatchSemaphore(value: 0)
        condition.lock()
        while job != nil { condition.wait() }
        job = {
            result = body()
            done.signal()
        }
        condition.broadcast()
        condition.unlock()
        done.wait()
        return result!
    }
}
