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
/// Each kernel start is a new numbered session. The file is opened in the background, so a start
/// never waits for the disk; the current session's entries are also kept in memory, so a request
/// about it waits at most for that opening; earlier sessions are read from the file. When the file cannot be opened or written, the kernel logs it once and goes on with the
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

    /// Opens the history at `location` in the background (a start never waits for the disk); on
    /// any failure logs why and keeps history in memory.
    public init(location: Location, logger: KernelLogger = .standardError) {
        if case .file(let path) = location {
            store = HistoryStore(path: path, logger: logger)
        } else {
            store = nil
        }
    }

    /// This kernel's session number: a new row of the file's `sessions` table, or 1 in memory
    /// (waits for the file to be opened).
    public var session: Int { store?.session ?? 1 }

    /// Whether entries reach a file (waits for the file to be opened).
    public var isPersistent: Bool { store?.isUsable ?? false }

    func record(line: Int, input: String, output: String?) {
        // The session number is filled in when read or written, so recording never waits.
        let entry = Entry(session: 0, line: line, input: input, output: output)
        state.withLock { $0.entries.append(entry) }
        store?.record(entry)
    }

    /// Writes what is pending and closes the session (its end time and number of cells).
    func close() {
        store?.close(commandCount: state.withLock { $0.entries.count })
    }

    private var current: [Entry] {
        let session = self.session
        return state.withLock { $0.entries }.map { entry in
            var entry = entry
            entry.session = session
            return entry
        }
    }

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
/// Writes go to a serial background queue (a cell never waits for the disk), batched: what
/// accumulated while the last transaction ran goes in the next one, so a flood of cells costs a few
/// transactions, not one each. The file is in WAL mode with `synchronous = NORMAL` (a commit does
/// not wait for fsync; a power cut may lose the last cells, never corrupt the file). Several kernels
/// may share the file (SQLite locks; a busy file is retried for 5 s).
final class HistoryStore: Sendable {
    private let path: String
    private let opened = Mutex<(database: DatabasePool, session: Int)?>(nil)
    /// Left once the file is open (or failed to open).
    private let opening = DispatchGroup()
    private let writer = DispatchQueue(label: "rigor.history")
    private let logger: KernelLogger
    private let failed = Atomic<Bool>(false)
    /// Entries recorded and not yet written; `true` while a write is scheduled.
    private let pending = Mutex<(entries: [History.Entry], scheduled: Bool)>(([], false))

    /// Opens (or creates) the file on the writer queue, first thing; every other use waits for it.
    init(path: String, logger: KernelLogger) {
        self.path = path
        self.logger = logger
        opening.enter()
        writer.async { [self] in
            defer { opening.leave() }
            do {
                let result = try Self.open(path: path)
                opened.withLock { $0 = result }
            } catch {
                failed.store(true, ordering: .relaxed)
                logger.log("history: cannot use \(path) (\(error)); this session's history is kept in memory only")
            }
        }
    }

    private static func open(path: String) throws -> (database: DatabasePool, session: Int) {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.label = "rigor.history"
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        let database = try DatabasePool(path: path, configuration: configuration)
        let session = try database.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS sessions (session INTEGER PRIMARY KEY AUTOINCREMENT,
                        start TIMESTAMP, end TIMESTAMP, num_cmds INTEGER, remark TEXT);
                    CREATE TABLE IF NOT EXISTS history (session INTEGER, line INTEGER, source TEXT,
                        source_raw TEXT, PRIMARY KEY (session, line));
                    CREATE TABLE IF NOT EXISTS output_history (session INTEGER, line INTEGER, output TEXT,
                        PRIMARY KEY (session, line));
                    """)
            // Timestamps come from SQLite (UTC, as IPython's): formatting a Date in Swift would load
            // ICU's data, 8 MB more resident memory for the kernel.
            try db.execute(sql: "INSERT INTO sessions (start, remark) VALUES (\(Self.now), 'rigor')")
            return Int(db.lastInsertedRowID)
        }
        return (database, session)
    }

    /// SQL for the current time, as IPython stores it: `2026-12-06 05:02:26.898`.
    private static let now = "strftime('%Y-%m-%d %H:%M:%f', 'now')"

    /// The open database and session, once opened; `nil` when it could not be.
    private var database: (database: DatabasePool, session: Int)? {
        opening.wait()
        return opened.withLock { $0 }
    }

    /// This kernel's session number (1 when the file could not be opened).
    var session: Int { database?.session ?? 1 }

    var isUsable: Bool {
        opening.wait()
        return !failed.load(ordering: .relaxed)
    }

    func record(_ entry: History.Entry) {
        if failed.load(ordering: .relaxed) { return }
        let schedule = pending.withLock { pending in
            pending.entries.append(entry)
            defer { pending.scheduled = true }
            return !pending.scheduled
        }
        if schedule { writer.async { [self] in writePending() } }
    }

    /// Writes every pending entry in one transaction (on the writer queue).
    private func writePending() {
        let entries = pending.withLock { pending in
            defer { pending = ([], false) }
            return pending.entries
        }
        guard !entries.isEmpty, let session = database?.session else { return }
        write { db in
            for entry in entries {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO history (session, line, source, source_raw) VALUES (?, ?, ?, ?)",
                    arguments: [session, entry.line, entry.input, entry.input])
                if let output = entry.output {
                    try db.execute(
                        sql: "INSERT OR REPLACE INTO output_history (session, line, output) VALUES (?, ?, ?)",
                        arguments: [session, entry.line, output])
                }
            }
        }
    }

    func close(commandCount: Int) {
        writer.sync {
            writePending()
            write { db in
                try db.execute(
                    sql: "UPDATE sessions SET end = \(Self.now), num_cmds = ? WHERE session = ?",
                    arguments: [commandCount, self.session])
            }
        }
    }

    /// History rows (with their outputs) matching `clause`, which names the history table `h`.
    func entries(sql clause: String, _ arguments: [any DatabaseValueConvertible]) -> [History.Entry] {
        guard isUsable, let database = database?.database else { return [] }
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
            logger.log("history: cannot read \(path): \(error)")
            return []
        }
    }

    /// Runs on the writer queue (after the opening, which is first on it).
    private func write(_ body: (Database) throws -> Void) {
        guard !failed.load(ordering: .relaxed), let database = opened.withLock({ $0?.database }) else { return }
        do {
            try database.write(body)
        } catch {
            // Once: later cells stay in memory, and the session goes on.
            failed.store(true, ordering: .relaxed)
            logger.log("history: cannot write \(path) (\(error)); later cells are kept in memory only")
        }
    }
}
