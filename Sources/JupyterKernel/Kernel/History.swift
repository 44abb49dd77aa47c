#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The cells run in this session, for `history_request` (tail, range and search).
struct History {
    struct Entry: Equatable {
        var line: Int
        var input: String
        var output: String?
    }

    /// Sessions are not persisted, so the current one is always number 1.
    static let session = 1

    private(set) var entries: [Entry] = []

    mutating func record(line: Int, input: String, output: String?) {
        entries.append(Entry(line: line, input: input, output: output))
    }

    /// The last `count` entries.
    func tail(_ count: Int) -> [Entry] { Array(entries.suffix(max(0, count))) }

    /// Lines `start ..< stop` of `session` (0 or 1: this one; negative: earlier ones, none).
    func range(session: Int, start: Int, stop: Int?) -> [Entry] {
        guard session == 0 || session == Self.session else { return [] }
        return entries.filter { entry in entry.line >= start && (stop.map { entry.line < $0 } ?? true) }
    }

    /// Entries whose input matches the glob `pattern` (`*`, `?`, `[…]`), the last `limit` of them,
    /// the latest of equal inputs only when `unique`.
    func search(pattern: String, limit: Int?, unique: Bool) -> [Entry] {
        var matches = entries.filter { fnmatch(pattern, $0.input, 0) == 0 }
        if unique {
            var seen = Set<String>()
            matches = matches.reversed().filter { seen.insert($0.input).inserted }.reversed()
        }
        if let limit { matches = Array(matches.suffix(max(0, limit))) }
        return matches
    }
}
