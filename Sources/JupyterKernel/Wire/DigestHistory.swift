import Foundation
import Synchronization

/// The signatures of the messages received so far, to refuse a replayed message (ipykernel's
/// `Session.digest_history`). Bounded: past `capacity` signatures the oldest are forgotten (ipykernel
/// forgets a random tenth); a replay older than that is no longer recognised.
///
/// Shared by the threads that decode (shell, control, stdin), so a message captured on one channel
/// and replayed on another is refused too.
public final class DigestHistory: Sendable {
    /// ipykernel's `digest_history_size`.
    public static let defaultCapacity = 1 << 16

    private struct State {
        var seen = Set<Data>()
        var order: [Data] = []
        var head = 0
    }

    public let capacity: Int
    private let state = Mutex(State())

    public init(capacity: Int = DigestHistory.defaultCapacity) {
        precondition(capacity > 0, "a digest history holds at least one signature")
        self.capacity = capacity
    }

    /// Records `signature`; returns `false` when it was already recorded (a replay).
    public func insert(_ signature: Data) -> Bool {
        state.withLock { state in
            guard state.seen.insert(signature).inserted else { return false }
            state.order.append(signature)
            if state.order.count - state.head > capacity {
                state.seen.remove(state.order[state.head])
                state.head += 1
                if state.head >= capacity {
                    state.order.removeFirst(state.head)
                    state.head = 0
                }
            }
            return true
        }
    }

    /// How many signatures are remembered.
    public var count: Int { state.withLock { $0.seen.count } }
}
