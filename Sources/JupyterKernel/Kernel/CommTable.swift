import Synchronization

/// The comms open between the kernel and the front end, by id, with their target names.
/// Thread-safe: the shell thread and subshells both handle comm messages.
final class CommTable: Sendable {
    private let table = Mutex<[String: String]>([:])

    var targets: [String: String] { table.withLock { $0 } }

    func open(id: String, targetName: String) { table.withLock { $0[id] = targetName } }
    func close(id: String) { table.withLock { $0[id] = nil } }
    func contains(_ id: String) -> Bool { table.withLock { $0[id] != nil } }
}
