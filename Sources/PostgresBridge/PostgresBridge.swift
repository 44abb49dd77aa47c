// PostgresBridge: what every PostgreSQL store of Rigor needs from postgres-nio and nothing else — opening a
// connection, running its async calls from synchronous code (a notebook cell, a storage protocol) without starving
// Swift's cooperative pool, and turning its errors into one readable sentence. SearchPostgres (studies) and
// RunLogPostgres (the run log) use it.
import Foundation
import PostgresNIO
import Synchronization

public enum PostgresBridge {
    /// Runs an async body to completion from synchronous code. The body runs on `executor`'s Dispatch threads, never
    /// on Swift's cooperative pool: a caller that blocks a pool thread (a test, a cell on a 2-core machine where the
    /// pool has two threads) would otherwise wait for a task that can never be scheduled.
    public static func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let result = Mutex<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task(executorPreference: executor) {
            do {
                let value = try await body()
                result.withLock { $0 = .success(value) }
            } catch {
                result.withLock { $0 = .failure(error) }
            }
            done.signal()
        }
        done.wait()
        return try result.withLock { $0! }.get()
    }

    /// A connection that could not be opened: `target` names the server, database and user, `reason` says why.
    public struct ConnectError: Error, CustomStringConvertible {
        public let target: String
        public let reason: String
        public var description: String { "cannot reach \(target): \(reason)" }
    }

    /// Opens one plain-TCP connection (no TLS), waiting at most `connectTimeout` seconds. An unreachable server, a
    /// refused login or a missing database throws a `ConnectError` naming the server
    /// (`PostgreSQL at host:port (database 'd', user 'u')`).
    public static func connect(
        host: String, port: Int, username: String, password: String?, database: String,
        connectTimeout: TimeInterval, logger: Logger
    ) throws(ConnectError) -> PostgresConnection {
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: .disable)
        configuration.options.connectTimeout = .milliseconds(Int64(connectTimeout * 1000))
        let settings = configuration
        do {
            return try blocking {
                try await PostgresConnection.connect(configuration: settings, id: 1, logger: logger)
            }
        } catch {
            throw ConnectError(
                target: "PostgreSQL at \(host):\(port) (database '\(database)', user '\(username)')",
                reason: reason(error))
        }
    }

    /// `body` between `begin` (`BEGIN`, or e.g. `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`) and `COMMIT` on
    /// `connection`; `ROLLBACK` and the body's error when it throws.
    public static func inTransaction<T: Sendable>(
        _ connection: PostgresConnection, logger: Logger, begin: PostgresQuery = "BEGIN",
        _ body: (PostgresConnection, Logger) async throws -> T
    ) async throws -> T {
        try await connection.query(begin, logger: logger)
        do {
            let value = try await body(connection, logger)
            try await connection.query("COMMIT", logger: logger)
            return value
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }

    /// The text of a postgres-nio error: the server's message (with its SQLSTATE), the connection failure
    /// underneath, or a failed transaction's first cause.
    public static func reason(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] {
                return message + (error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? "")
            }
            if let underlying = error.underlying { return "\(error.code): \(underlying)" }
            return "\(error.code)"
        }
        if let error = error as? PostgresTransactionError {
            return reason(error.closureError ?? error.commitError ?? error.beginError ?? error.rollbackError ?? error)
        }
        return "\(error)"
    }

    /// The executor `blocking` runs its tasks on: Dispatch threads outside the cooperative pool.
    static let executor = DispatchTaskExecutor()
}

final class DispatchTaskExecutor: TaskExecutor, @unchecked Sendable {
    private let queue = DispatchQueue(label: "rigor.postgres", attributes: .concurrent)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
