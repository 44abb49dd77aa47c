// ReplicaPool: bounded concurrency: each request borrows one copy of the model, and a bounded queue waits for one.
import NeuralNetworks
import Synchronization

/// A model copy used by one request at a time: the pool hands it to one borrower and takes it back before
/// lending it again, which is the one-thread-at-a-time rule layers need (they are classes, not `Sendable`).
final class Replica: @unchecked Sendable {
    let model: any Layer
    init(_ model: any Layer) { self.model = model }
}

/// At most `replicas.count` predictions run at once; up to `queueLimit` more wait in order; beyond that a request is
/// refused at once (the server answers 503), so load beyond capacity cannot pile up memory or latency.
final class ReplicaPool: Sendable {
    struct Busy: Error {}

    private struct State {
        var free: [Replica]
        var waiters: [CheckedContinuation<Replica, Never>] = []
    }

    private let state: Mutex<State>
    let queueLimit: Int
    let capacity: Int

    init(_ replicas: [Replica], queueLimit: Int) {
        state = Mutex(State(free: replicas))
        self.queueLimit = queueLimit
        capacity = replicas.count
    }

    /// Requests waiting for a replica now.
    var waitingCount: Int { state.withLock { $0.waiters.count } }

    /// Runs `body` with a free replica, waiting in line if all are busy and the line is short enough.
    func withReplica<R>(_ body: (Replica) throws -> R) async throws -> R {
        let replica = try await acquire()
        defer { release(replica) }
        return try body(replica)
    }

    func acquire() async throws -> Replica {
        enum Decision {
            case ready(Replica)
            case wait
            case refuse
        }
        let decision = state.withLock { state -> Decision in
            if let replica = state.free.popLast() { return .ready(replica) }
            return state.waiters.count < queueLimit ? .wait : .refuse
        }
        switch decision {
        case .ready(let replica): return replica
        case .refuse: throw Busy()
        case .wait:
            return await withCheckedContinuation { continuation in
                let immediate = state.withLock { state -> Replica? in
                    // A replica may have come back between the decision and now.
                    if let replica = state.free.popLast() { return replica }
                    state.waiters.append(continuation)
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        }
    }

    func release(_ replica: Replica) {
        let waiter = state.withLock { state -> CheckedContinuation<Replica, Never>? in
            if state.waiters.isEmpty {
                state.free.append(replica)
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.resume(returning: replica)
    }
}
