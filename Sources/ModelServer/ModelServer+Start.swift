// ModelServer+Start: starting a server from synchronous code and returning once its port is bound.
import Foundation
import Synchronization

extension ModelServer {
    /// A server started by ``start(handlingSignals:timeout:)``: its port, and a graceful ``stop()``.
    public final class Running: Sendable {
        /// The bound port (the one asked for, or the one the system chose for port 0).
        public let port: Int
        private let task: Task<Void, any Error>
        private let finished: Shared<Bool>

        fileprivate init(port: Int, task: Task<Void, any Error>, finished: Shared<Bool>) {
            self.port = port
            self.task = task
            self.finished = finished
        }

        /// Whether it still serves: not stopped, and not ended by a signal or an error.
        public var isRunning: Bool { !task.isCancelled && !finished.value.withLock { $0 } }

        /// Graceful shutdown (no new connections, requests in flight finish); returns when the server has stopped
        /// or after `timeout` seconds.
        @available(*, noasync, message: "cancel the task that awaits run(handlingSignals:onStarted:) instead")
        public func stop(timeout: Double = 10) {
            task.cancel()
            _ = try? waitUntilStopped(timeout: timeout)
        }

        /// Blocks until the server stops (a signal, when it handles them, or ``stop()``) and rethrows what stopped
        /// it, if anything; false when `timeout` passed first.
        @available(*, noasync, message: "await run(handlingSignals:onStarted:) instead")
        @discardableResult
        public func waitUntilStopped(timeout: Double = .infinity) throws -> Bool {
            let done = DispatchSemaphore(value: 0)
            let outcome = Shared<Result<Void, any Error>?>(nil)
            let task = self.task
            Task(executorPreference: serverExecutor) {
                let result = await task.result
                outcome.value.withLock { $0 = result }
                done.signal()
            }
            if timeout.isFinite {
                guard done.wait(timeout: .now() + timeout) == .success else { return false }
            } else {
                done.wait()
            }
            if case .failure(let error) = outcome.value.withLock({ $0 }), !(error is CancellationError) { throw error }
            return true
        }
    }

    /// Starts the server and returns once its port is bound (or throws what kept it from starting, or a timeout).
    ///
    /// The server's tasks run on threads of their own, never on Swift's cooperative pool, so the caller may block
    /// any thread, a pool thread included (a test, a notebook cell): on a 2-core machine the pool has two threads,
    /// and a caller blocking one while the server waited for one could deadlock.
    @available(*, noasync, message: "await run(handlingSignals:onStarted:) in a task instead")
    public func start(handlingSignals: Bool = false, timeout: Double = 30) throws -> Running {
        let started = DispatchSemaphore(value: 0)
        let outcome = Shared<Result<Int, any Error>?>(nil)
        let finished = Shared(false)
        let task = Task(executorPreference: serverExecutor) {
            defer { finished.value.withLock { $0 = true } }
            @Sendable func report(_ result: Result<Int, any Error>) {
                let first = outcome.value.withLock { state -> Bool in
                    guard state == nil else { return false }
                    state = result
                    return true
                }
                if first { started.signal() }
            }
            do {
                try await self.run(handlingSignals: handlingSignals) { port in report(.success(port)) }
            } catch {
                report(.failure(error))
                throw error
            }
            // A server that returns without an error has stopped; the caller must not wait for it.
            report(.failure(CancellationError()))
        }
        if started.wait(timeout: .now() + timeout) == .timedOut {
            task.cancel()
            throw ServerStartError(message: "the server did not start within \(Int(timeout)) s")
        }
        switch outcome.value.withLock({ $0 }) {
        case .success(let port): return Running(port: port, task: task, finished: finished)
        case .failure(let error) where error is CancellationError:
            throw ServerStartError(message: "the server stopped before it started")
        case .failure(let error): throw error
        case nil: throw ServerStartError(message: "the server stopped before it started")
        }
    }
}

/// The server could not start (a timeout, or it stopped first); a failure to bind is the underlying error instead.
public struct ServerStartError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// A value behind a lock, shared by reference between the thread that waits and the server's task.
final class Shared<Value: Sendable>: Sendable {
    let value: Mutex<Value>
    init(_ value: Value) { self.value = Mutex(value) }
}

/// The executor started servers run on: Dispatch threads outside the cooperative pool, which a caller waiting
/// synchronously for the server may be occupying.
let serverExecutor = ServerTaskExecutor()

final class ServerTaskExecutor: TaskExecutor, @unchecked Sendable {
    // A concurrent queue: jobs run at once on Dispatch's threads; the queue itself holds no state.
    private let queue = DispatchQueue(label: "rigor.serve", attributes: .concurrent)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
