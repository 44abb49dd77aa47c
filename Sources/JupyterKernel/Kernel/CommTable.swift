/// The comms open between the kernel and the front end, by id, with their target names.
/// Used on the shell thread only.
final class CommTable {
    private(set) var targets: [String: String] = [:]

    func open(id: String, targetName: String) { targets[id] = targetName }
    func close(id: String) { targets[id] = nil }
    func contains(_ id: String) -> Bool { targets[id] != nil }
}
