import Foundation
import GRDB
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The cells run with `store_history`, for `history_request` (tail, range and search), kept across
/// restarts in an SQLite file laid out as IPython's `history.sqlite` (`HistoryStore`).
///
/// Each kernel start is a new numbered session. The current session's entries are also kept in
/// memory, so a request about it never waits for the database; earlier sessions are read from the
/// file. When the file cannot be opened or written, the kernel logs it once and goes on with the
/// current session in memory: history never costs a cell or a session.
///
/// Thread-safe: the shell thread records, and subshells may answer `history_request`.
public final class History: Sendable {
    public struct Entry: Equatable, Sendable {
        public var session: Int
        public var line: Int
        public var input: String
        public var output: String?

        public init(session: Int, line: Int, input: String, output: String?) {
            self.session = session
            self.line = line
            self.input = input
            self.output = output
        }
    }

    /// Where history lives.
    public enum Location: Equatable, Sendable {
        /// This session only, nothing on disk.
        case memory
        /// An SQLite file (created with its directory when missing).
        case file(String)

        /// `$RIGOR_HISTORY_FILE` when set (empty or `:memory:` for no file), else
        /// `<Jupyter data dir>/rigor/history.sqlite` (`$JUPYTER_DATA_DIR`, else
        /// `$XDG_DATA_HOME/jupyter` or `~/.local/share/jupyter`; `~/Library/Jupyter` on macOS).
        public static func fromEnvironment(
            _ environment: [String: String] = ProcessInfo.processInfo.environment
        )
            -> Location
        {
            if let path = environment["RIGOR_HISTORY_FILE"] {
                return path.isEmpty || path == ":memory:" ? .memory : .file(path)
            }
            let dataDirectory = Kernelspec.Location.user.kernelsDirectory(environment: environment)
                .deletingLastPathComponent()
            return .file(dataDirectory.appendingPathComponent("rigor/history.sqlite").path)
        }
    }

    private struct State {
        var entries: [Entry] = []
    }

    private let state = Mutex(State())
    private let store: HistoryStore?
    /// This kernel's session number: a new row of the file's `sessions` table, or 1 in memory.
    public let session: Int

    /// Opens the history at `location`; on any failure logs why and keeps history in memory.
    public init(location: Location, logger: KernelLogger = .standardError) {
        var store: HistoryStore?
        if case .file(let path) = location {
            do {
                store = try HistoryStore(path: path, logger: logger)
            } catch {
                logger.log("history: cannot use \(path) (\(error)); this session's history is kept in memory only")
            }
        }
        self.store = store
        self.session = store?.session ?? 1
    }

    /// Whether entries reach a file.
    public var isPersistent: Bool { store?.isUsable ?? false }

    func record(line: Int, input: String, output: String?) {
        let entry = Entry(session: session, line: line, input: input, output: output)
        state.withLock { $0.entries.append(entry) }
        store?.record(entry)
    }

    /// Writes what is pending and closes the session (its end time and number of cells).
    func close() {
        store?.close(commandCount: state.withLock { $0.entries.count })
    }

    private var current: [Entry] { state.withLock { $0.entries } }

    /// The last `count` entries, over every session.
    public func tail(_ count: Int) -> [Entry] {
        guard count > 0 else { return [] }
        let earlier =
            store?.entries(sql: "WHERE h.session != ? ORDER BY h.session DESC, h.line DESC LIMIT ?", [session, count])
            ?? []
        return Array(Self.ordered(earlier + current).suffix(count))
    }

    /// Lines `start ..< stop` of `session`: 0 is this one, negative ones count back (-1: the
    /// previous session), positive ones are session numbers (as IPython's `get_range`).
    public func range(session requested: Int, start: Int, stop: Int?) -> [Entry] {
        let wanted = requested <= 0 ? session + requested : requested
        if wanted == session {
            return current.filter { entry in entry.line >= start && (stop.map { entry.line < $0 } ?? true) }
        }
        if let stop {
            return store?.entries(
                sql: "WHERE h.session = ? AND h.line >= ? AND h.line < ? ORDER BY h.line", [wanted, start, stop]) ?? []
        }
        return store?.entries(sql: "WHERE h.session = ? AND h.line >= ? ORDER BY h.line", [wanted, start]) ?? []
    }

    /// Entries whose input matches the glob `pattern` (`*`, `?`, `[…]`, case-sensitive, as SQLite's
    /// GLOB), over every session; only the latest of equal inputs when `unique`; the last `limit`.
    public func search(pattern: String, limit: Int?, unique: Bool) -> [Entry] {
        let earlier =
            store?.entries(
                sql: "WHERE h.session != ? AND h.source GLOB ? ORDER BY h.session, h.line", [session, pattern]) ?? []
        var matches = Self.ordered(earlier + current.filter { fnmatch(pattern, $0.input, 0) == 0 })
        if unique {
            var seen = Set<String>()
            matches = matches.reversed().filter { seen.insert($0.input).inserted }.reversed()
        }
        if let limit { matches = Array(matches.suffix(max(0, limit))) }
        return matches
    }

    private static func ordered(_ entries: [Entry]) -> [Entry] {
        entries.sorted { ($0.session, $0.line) < ($1.session, $1.line) }
    }
}

/// IPython's `history.sqlite` layout, through GRDB:
///
/// ```sql
/// sessions(session INTEGER PRIMARY KEY AUTOINCREMENT, start TIMESTAMP, end TIMESTAMP, num_cmds INTEGER, remark TEXT)
/// history(session INTEGER, line INTEGER, source TEXT, source_raw TEXT, PRIMARY KEY (session, line))
/// output_history(session INTEGER, line INTEGER, output TEXT, PRIMARY KEY (session, line))
/// ```
///
/// Writes go to a serial background queue (a cell never waits for the disk); reads wait for the
/// database only. Several kernels may share the file (SQLite locks; a busy file is retried 5 s).
final class HistoryStore: Sendable {
    let session: Int
    private let database: DatabaseQueue
    private let writer = DispatchQueue(label: "rigor.history")
    private let logger: KernelLogger
    private let failed = Atomic<Bool>(false)

    init(path: String, logger: KernelLogger) throws {
        self.logger = logger
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.label = "rigor.history"
        database = try DatabaseQueue(path: path, configuration: configuration)
        session = try database.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS sessions (session INTEGER PRIMARY KEY AUTOINCREMENT,
                        start TIMESTAMP, end TIMESTAMP, num_cmds INTEGER, remark TEXT);
                    CREATE TABLE IF NOT EXISTS history (session INTEGER, line INTEGER, source TEXT,
                        source_raw TEXT, PRIMARY KEY (session, line));
                    CREATE TABLE IF NOT EXISTS output_history (session INTEGER, line INTEGER, output TEXT,
                        PRIMARY KEY (session, line));
                    """)
            try db.execute(sql: "INSERT INTO sessions (start, remark) VALUES (?, 'rigor')", arguments: [Date()])
            return Int(db.lastInsertedRowID)
        }
    }

    var isUsable: Bool { !failed.load(ordering: .relaxed) }

    func record(_ entry: History.Entry) {
        guard isUsable else { return }
        writer.async { [self] in
            write { db in
                try db.execute(
                    sql: "INSERT OR REPLACE INTO history (session, line, source, source_raw) VALUES (?, ?, ?, ?)",
                    arguments: [entry.session, entry.line, entry.input, entry.input])
                if let output = entry.output {
                    try db.execute(
                        sql: "INSERT OR REPLACE INTO output_history (session, line, output) VALUES (?, ?, ?)",
                        arguments: [entry.session, entry.line, output])
                }
            }
        }
    }

    func close(commandCount: Int) {
        writer.sync {
            write { db in
                try db.execute(
                    sql: "UPDATE sessions SET end = ?, num_cmds = ? WHERE session = ?",
                    arguments: [Date(), commandCount, session])
            }
        }
    }

    /// History rows (with their outputs) matching `clause`, which names the history table `h`.
    func entries(sql clause: String, _ arguments: [any DatabaseValueConvertible]) -> [History.Entry] {
        guard isUsable else { return [] }
        do {
            return try database.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT h.session, h.line, h.source, o.output FROM history h
                        LEFT JOIN output_history o ON o.session = h.session AND o.line = h.line \(clause)
                        """, arguments: StatementArguments(arguments)
                ).map { row in
                    History.Entry(session: row[0], line: row[1], input: row[2] ?? "", output: row[3])
                }
            }
        } catch {
            logger.log("history: cannot read \(database.path): \(error)")
            return []
        }
    }

    private func write(_ body: (Database) throws -> Void) {
        guard isUsable else { return }
        do {
            try database.write(body)
        } catch {
            // Once: later cells stay in memory, and the session goes on.
            failed.store(true, ordering: .relaxed)
            logger.log("history: cannot write \(database.path) (\(error)); later cells are kept in memory only")
        }
    }
}
