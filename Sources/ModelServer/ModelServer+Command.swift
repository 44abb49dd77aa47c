// ModelServer+Command: the blocking entry point `rigor serve` calls.
import CConcurrencyHook
import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// The number of event loops serving as Swift concurrency's global executor, 0 until
/// ``ModelServer/installEventLoopExecutor(threads:)`` installed them.
let eventLoopExecutorThreads = Atomic<Int>(0)

extension ModelServer {
    /// Makes NIO's singleton event-loop group (the one Hummingbird serves on) Swift concurrency's global executor,
    /// with `threads` event loops (nil: one per core). A request then stays on the event loop that owns its connection
    /// from the read through parsing and the prediction to the write; on the default executor it crossed to a thread
    /// of Swift's cooperative pool and back, two hand-offs that each wait for a core on a busy machine (see "`rigor
    /// serve` under load" in docs/deployment.md). Returns false, changing nothing, when the hook is not available.
    ///
    /// Process-wide and for good: call it once, from the main thread, before any task has run, and only in a process
    /// that does nothing but serve (`rigor serve`). Every task of the process then runs on the event loops, where
    /// blocking a thread stalls the connections on its loop: the `serve` builtin, inside the kernel, never calls it.
    @discardableResult
    public static func installEventLoopExecutor(threads: Int? = nil) -> Bool {
        if let threads { setEventLoopCount(threads) }
        // NIO finds the runtime's hook with dlsym, which a --static-swift-stdlib binary (`make release`) hides; the
        // same hook is then installed through a link-time reference to the variable (CConcurrencyHook).
        guard
            NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
                || installEnqueueHookDirectly()
        else { return false }
        eventLoopExecutorThreads.store(NIOSingletons.groupLoopCountSuggestion, ordering: .releasing)
        return true
    }

    /// Sizes NIO's singleton event-loop group, the one Hummingbird serves on, to `threads` loops (by default it has one
    /// per core). Call it before the group is first used: `rigor serve --executor default --threads N` does, without
    /// making the loops the global executor.
    public static func setEventLoopCount(_ threads: Int) {
        precondition(threads > 0, "threads must be positive")
        NIOSingletons.groupLoopCountSuggestion = threads
    }

    /// What NIO's `unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor` installs: every job
    /// enqueued on the global executor goes to an event loop of the singleton group, the current one when the
    /// enqueuing thread is one of its loops (`any()` is sticky), so a task resumed by a loop stays on that loop.
    private static func installEnqueueHookDirectly() -> Bool {
        typealias EnqueueGlobalHook =
            @convention(thin) (UnownedJob, @convention(thin) (UnownedJob) -> Void) -> Void
        return withUnsafeTemporaryAllocation(of: EnqueueGlobalHook.self, capacity: 1) { hook in
            hook.baseAddress!.initialize(to: { job, _ in
                MultiThreadedEventLoopGroup.singleton.any().executor.enqueue(ExecutorJob(job))
            })
            // A thin function is one code pointer (NIO relies on the same).
            return hook.baseAddress!.withMemoryRebound(to: UnsafeRawPointer.self, capacity: 1) {
                rigor_install_enqueue_global_hook($0.pointee)
            }
        }
    }

    /// Loads `path`, serves it until SIGTERM/SIGINT, and returns after a graceful shutdown. Prints the address
    /// once listening; `announce` receives that line (standard output by default).
    ///
    /// It blocks its thread on the server's task, so call it from a thread of your own (`rigor serve` calls it on
    /// the main thread), never from a thread of Swift's cooperative pool, whose few threads the server itself needs;
    /// async code awaits ``run(handlingSignals:onStarted:)`` instead.
    @available(*, noasync, message: "await run(handlingSignals:onStarted:) instead")
    public static func serve(
        path: String, inputShape: [Int]? = nil, configuration: ServerConfiguration,
        announce: @escaping @Sendable (String) -> Void = { print($0) }
    ) throws {
        let model = try ServedModel.load(path, inputShape: inputShape)
        let server = try ModelServer(model: model, configuration: configuration)
        let outcome = Mutex<(any Error)?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            do {
                try await server.run(handlingSignals: true) { port in
                    announce(
                        "serving \(model.format) model \(path) (\(model.fingerprint.prefix(12))) on http://\(configuration.host):\(port)"
                    )
                }
            } catch {
                outcome.withLock { $0 = error }
            }
            done.signal()
        }
        done.wait()
        if let error = outcome.withLock({ $0 }) { throw error }
    }
}
