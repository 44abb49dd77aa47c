import Foundation
import Search
import SearchPostgres
import Synchronization
import Testing

private let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
private let port = Int(ProcessInfo.processInfo.environment["RIGOR_TEST_POSTGRES_PORT"] ?? "") ?? 54329

/// A connection to the test server; starts it with scripts/start-test-postgres.sh (which `make test` also runs) when it
/// does not answer. A server that cannot be started fails the test: it is never skipped.
private func connect() throws -> PostgresStorage {
    if let storage = try? PostgresStorage(port: port, username: "rigor", database: "rigor_search", connectTimeout: 5) {
        return storage
    }
    let script = Process()
    script.executableURL = URL(fileURLWithPath: "/bin/bash")
    script.arguments = [packageRoot.appendingPathComponent("scripts/start-test-postgres.sh").path]
    try script.run()
    script.waitUntilExit()
    guard script.terminationStatus == 0 else {
        throw SearchError(.unreachable, "scripts/start-test-postgres.sh failed (status \(script.terminationStatus))")
    }
    return try PostgresStorage(port: port, username: "rigor", database: "rigor_search", connectTimeout: 10)
}

/// Runs `body(0)`…`body(3)` on four threads at once and waits for them.
private func onFourThreads(_ body: @escaping @Sendable (Int) -> Void) {
    let group = DispatchGroup()
    for worker in 0..<4 {
        group.enter()
        let thread = Thread {
            body(worker)
            group.leave()
        }
        thread.start()
    }
    group.wait()
}

@Suite("PostgreSQL study storage (a real server on loopback)", .serialized)
struct PostgresStorageTests {
    @Test("four workers on one study: every trial counted once, numbers 0..<n, the cap respected")
    func fourWorkers() throws {
        let name = "four-workers-\(UUID().uuidString)"
        _ = try Study(name, sampler: .tpe(TPEOptions(startupTrials: 5)), storage: connect())
        let ran = Mutex<[Int: [Int]]>([:])
        let failures = Mutex<[String]>([])
        onFourThreads { worker in
            do {
                let study = try Study(name, sampler: .tpe(TPEOptions(startupTrials: 5)), seed: 9, storage: connect())
                let trials = try study.optimize(trials: 100, maxTotalTrials: 40, worker: "worker-\(worker)") { trial in
                    let x = try trial.suggestFloat("x", -3, 3)
                    let y = try trial.suggestInt("y", 0, 10)
                    try trial.report(step: 1, value: x * x)
                    return x * x + Double(y)
                }
                ran.withLock { $0[worker] = trials.map(\.number) }
            } catch {
                failures.withLock { $0.append("worker \(worker): \(error)") }
            }
        }
        #expect(failures.withLock { $0 } == [])
        let byWorker = ran.withLock { $0 }
        let numbers = byWorker.values.flatMap { $0 }
        #expect(numbers.count == 40)
        #expect(numbers.sorted() == Array(0..<40))
        let stored = try Study.load(name, storage: connect()).trials
        #expect(stored.count == 40)
        #expect(stored.map(\.number) == Array(0..<40))
        #expect(stored.allSatisfy { $0.state == .complete && $0.intermediateValues.count == 1 })
        // Each stored trial names the worker that ran it, and that worker reported it.
        for trial in stored {
            let worker = try #require(trial.worker.flatMap { Int($0.dropFirst("worker-".count)) })
            #expect(byWorker[worker]?.contains(trial.number) == true)
        }
        print("four PostgreSQL workers ran \(byWorker.keys.sorted().map { "\($0): \(byWorker[$0]!.count)" }) trials")
    }

    @Test("four workers share a grid: every point exactly once")
    func fourWorkersGrid() throws {
        let name = "grid-\(UUID().uuidString)"
        let grid: [String: [ParameterValue]] = ["a": [1, 2, 3, 4], "b": ["x", "y", "z"], "c": [0.5, 1.5]]
        let points = Mutex<[String]>([])
        let failures = Mutex<[String]>([])
        onFourThreads { worker in
            do {
                let study = try Study(name, sampler: .grid(grid), seed: 1, storage: connect())
                try study.optimize(trials: 100) { trial in
                    let a = try trial.suggestInt("a", 1, 4)
                    let b = try trial.suggestChoice("b", ["x", "y", "z"])
                    let c = try trial.suggestFloat("c", 0, 2)
                    points.withLock { $0.append("\(a)\(b)\(c)") }
                    return Double(a) * c
                }
            } catch {
                failures.withLock { $0.append("worker \(worker): \(error)") }
            }
        }
        #expect(failures.withLock { $0 } == [])
        let seen = points.withLock { $0 }
        #expect(seen.count == 24)
        #expect(Set(seen).count == 24)
    }

    @Test("an unreachable database is a clear error")
    func unreachable() throws {
        let error = #expect(throws: SearchError.self) {
            try PostgresStorage(port: 1, username: "rigor", database: "rigor_search", connectTimeout: 2)
        }
        #expect(error?.kind == .unreachable)
        #expect(
            error?.description.hasPrefix(
                "cannot reach PostgreSQL at 127.0.0.1:1 (database 'rigor_search', user 'rigor')") == true)
        let missing = #expect(throws: SearchError.self) {
            try PostgresStorage(port: port, username: "rigor", database: "no_such_database", connectTimeout: 5)
        }
        #expect(missing?.kind == .unreachable)
        #expect(missing?.description.contains("does not exist") == true, "\(missing?.description ?? "")")
    }
}
