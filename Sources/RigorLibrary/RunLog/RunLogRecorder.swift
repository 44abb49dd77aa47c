// RunLogRecorder: where a session records its runs, and the recording of one `fit` or `evaluate`. Recording never
// fails the work it records: a log that cannot be written is reported once on stderr and recording pauses.
import Foundation
import NeuralNetworks
import RigorScript
import RunLog
import RunLogPostgres
import TensorCore

/// A host that records the session's runs (the kernel's: `runs.sqlite` in the notebook's folder).
public protocol RunLogHost: AnyObject {
    var runRecorder: RunRecorder { get }
}

/// Where a session's runs go, opened on first use: an SQLite file, or a PostgreSQL database given by a
/// `postgresql://` URL. `path == nil` turns recording off.
public final class RunRecorder: @unchecked Sendable {
    /// `runs.sqlite`: next to the notebook when the kernel runs in the notebook's folder.
    public static let defaultFileName = RunLog.defaultFileName
    /// The file (or database URL) runs are recorded in, or nil when recording is off.
    public private(set) var path: String?
    /// The cell being run ("In[5]") and its source, set by the host before each cell.
    public var origin = ""
    public var source = ""
    /// Every run this session started, recorded or not, oldest first: the seeds and data `reproducibility()` shows.
    private(set) var started: [RunStart] = []
    private var log: (any RunLogStorage)?
    private var failed = false
    /// The runs that are running around the current call, innermost last (a search trial while its objective runs;
    /// nil for one that is not recorded): a run begun now records the innermost as its parent.
    private var enclosing: [Int?] = []
    /// The time this session has spent opening and writing the run log (`runLogSeconds()`): what recording costs.
    public private(set) var recordingTime: Duration = .zero

    /// A recorder for `path`, or for what `RIGOR_RUN_LOG` says when it is set (a path, or `off`).
    public init(path: String?, environment: [String: String] = ProcessInfo.processInfo.environment) {
        if let setting = environment["RIGOR_RUN_LOG"], !setting.isEmpty {
            self.path = setting == "off" ? nil : Self.absolute(setting)
        } else {
            self.path = path.map(Self.absolute)
        }
    }

    /// Records into `path` from now on (nil: stop recording). Opening errors are thrown here, at the call.
    public func use(_ path: String?) throws {
        guard let path else {
            self.path = nil
            log = nil
            return
        }
        let absolute = Self.absolute(path)
        log = try timed { try Self.open(absolute) }
        self.path = absolute
        failed = false
    }

    /// Records into a storage already open (a host's own database, or a wrapper around one).
    public func use(storage: any RunLogStorage) {
        log = storage
        path = storage.location
        failed = false
    }

    /// The storage `location` names: PostgreSQL for a `postgresql://` (or `postgres://`) URL, else an SQLite file.
    static func open(_ location: String) throws -> any RunLogStorage {
        if isDatabaseURL(location) { return try PostgresRunLog(url: location) }
        return try RunLog(path: location)
    }

    static func isDatabaseURL(_ location: String) -> Bool {
        location.hasPrefix("postgresql://") || location.hasPrefix("postgres://")
    }

    /// Where runs go, as messages name it (a URL without its password).
    public var location: String? { log?.location ?? path.map(Self.redacted) }

    /// Runs a write to the log (or its opening), adding its time to `recordingTime`.
    func timed<T>(_ body: () throws -> T) rethrows -> T {
        let clock = ContinuousClock()
        let started = clock.now
        defer { recordingTime += clock.now - started }
        return try body()
    }

    /// The open log, or nil when off or after a failure (reported once through `warn`).
    func openLog(warn: (String) -> Void) -> (any RunLogStorage)? {
        guard let path, !failed else { return nil }
        if let log { return log }
        do {
            log = try timed { try Self.open(path) }
            return log
        } catch {
            failure(error, warn: warn)
            return nil
        }
    }

    /// Reads the log (errors are the caller's to show: `runs()` was asked for).
    func readLog() throws -> any RunLogStorage {
        guard let path else {
            throw BuiltinError(.value, "the run log is off; turn it on with runLog(path: \"runs.sqlite\")")
        }
        if let log { return log }
        let opened = try Self.open(path)
        log = opened
        return opened
    }

    /// The run that runs begun now ran inside, if it is recorded.
    var parent: Int? { enclosing.last ?? nil }

    /// Runs `body` with `run` as the parent of the runs it begins.
    func inside<T>(_ run: Int?, _ body: () throws -> T) rethrows -> T {
        enclosing.append(run)
        defer { enclosing.removeLast() }
        return try body()
    }

    func noteStarted(_ start: RunStart) {
        var kept = start
        kept.source = ""  // the cell's code is the log's to keep, not the session's
        kept.model = ""
        started.append(kept)
    }

    func failure(_ error: any Error, warn: (String) -> Void) {
        guard !failed else { return }
        failed = true
        warn(
            "warning: the run log '\(location ?? "")' cannot be written (\(error)); runs are not being recorded. "
                + "Call runLog(path: …) to record elsewhere.\n")
    }

    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") || isDatabaseURL(path) { return path }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(path).path
    }

    /// A URL without its password; a path as it is.
    static func redacted(_ location: String) -> String {
        guard isDatabaseURL(location), var components = URLComponents(string: location), components.password != nil
        else { return location }
        components.password = "…"
        return components.string ?? location
    }
}

extension RigorLibrary {
    /// Sessions whose host keeps no recorder (tests, `rigor run` without `RIGOR_RUN_LOG`) share this one: off
    /// unless `RIGOR_RUN_LOG` names a file.
    static let standaloneRecorder = RunRecorder(path: nil)

    static func runRecorder(_ context: CallContext) -> RunRecorder {
        (context.host as? RunLogHost)?.runRecorder ?? standaloneRecorder
    }

    /// The versions recorded with every run.
    static var runVersions: [(String, String)] {
        [("rigor", RigorLibrary.version), ("blas", BLASBackend.configuration)] + RunLog.environment
    }
}

/// The recording of one run: begun when created, one entry per epoch, finished once. Every write failure is
/// reported once and then ignored: the run itself goes on.
///
/// Epochs are written in batches: an epoch is kept until half a second has passed since the last write, and the ones
/// kept at the end are written with the run's end, in the same transaction. A small model's fit (the digits MLP: 20
/// epochs in ~0.15 s) is then two transactions, its start and its end, instead of 22; a long fit's epochs are still
/// in the log within half a second, and a writer killed mid-fit loses at most that half second of a run that reads
/// back `incomplete` anyway.
final class RunRecording {
    /// The longest an epoch waits before it is written while the run goes on.
    static let flushInterval: Duration = .milliseconds(500)

    private let log: (any RunLogStorage)?
    /// The run's id in the log, or nil when nothing is recorded.
    let id: Int?
    private var finished = false
    private var pending: [RunEpoch] = []
    private var pendingParameters: [(String, String)]?
    private var lastWrite = ContinuousClock.now
    private let recorder: RunRecorder
    private let warn: (String) -> Void

    init(_ context: CallContext, _ start: () -> RunStart) {
        recorder = RigorLibrary.runRecorder(context)
        warn = { context.write($0, to: .standardError) }
        var begun: (any RunLogStorage, Int)?
        // The start is made even when nothing is recorded: `reproducibility()` lists every run's seed and data.
        var start = start()
        start.origin = recorder.origin
        start.source = recorder.source
        start.parent = recorder.parent
        recorder.noteStarted(start)
        if let log = recorder.openLog(warn: warn) {
            do {
                begun = (log, try recorder.timed { try log.begin(start, at: Date()) })
            } catch {
                recorder.failure(error, warn: warn)
            }
        }
        log = begun?.0
        id = begun?.1
    }

    /// A run dropped without an end (it reads back `incomplete`) still gets the epochs it kept.
    deinit {
        if !finished { flush() }
    }

    /// Whether anything is being recorded.
    var isRecording: Bool { id != nil }

    /// Runs `body` with this run as the parent of the runs it begins (a trial's objective: its fits).
    func inside<T>(_ body: () throws -> T) rethrows -> T {
        try recorder.inside(id, body)
    }

    /// Keeps epoch `number`'s metrics (and the run's parameters, when given) for the log: written now if the last
    /// write is `flushInterval` old, else with a later epoch or the run's end.
    func epoch(_ number: Int, _ metrics: [(String, Double)], parameters: [(String, String)]? = nil) {
        guard log != nil, id != nil, !finished else { return }
        pending.append(RunEpoch(number, metrics.map { RunValue($0.0, $0.1) }))
        if let parameters { pendingParameters = parameters }
        if ContinuousClock.now - lastWrite >= Self.flushInterval { flush() }
    }

    /// Writes the epochs kept so far.
    func flush() {
        guard let log, let id, !pending.isEmpty || pendingParameters != nil else { return }
        defer {
            pending.removeAll(keepingCapacity: true)
            pendingParameters = nil
            lastWrite = .now
        }
        do {
            try recorder.timed { try log.record(epochs: pending, parameters: pendingParameters, of: id) }
        } catch {
            recorder.failure(error, warn: warn)
        }
    }

    /// Keeps a rigor warning shown during this run with it (table `run_warnings`).
    func warning(_ warning: RigorWarning) {
        guard let log, let id else { return }
        do {
            try recorder.timed { try log.record(warning: warning.check.rawValue, message: warning.summary, of: id) }
        } catch {
            recorder.failure(error, warn: warn)
        }
    }

    /// Records the outcome, once (a second call is ignored).
    func finish(
        _ status: RunStatus, results: [(String, Double)] = [], message: String? = nil,
        parameters: [(String, String)]? = nil
    ) {
        guard !finished else { return }
        finished = true
        guard let log, let id else { return }
        defer {
            pending = []
            pendingParameters = nil
        }
        do {
            try recorder.timed {
                try log.finish(
                    id, status: status, results: results.map { RunValue($0.0, $0.1) }, message: message,
                    parameters: parameters ?? pendingParameters, epochs: pending, at: Date())
            }
        } catch {
            recorder.failure(error, warn: warn)
        }
    }
}

extension DatasetObject {
    /// The SHA-256 of the features and targets, computed once (a dataset never changes).
    var fingerprint: DataFingerprint {
        if let cachedFingerprint { return cachedFingerprint }
        let features = data.features
        let targets = data.targets
        let result = features.withUnsafeBufferPointer { featureValues in
            targets.withUnsafeBufferPointer { targetValues in
                DataFingerprint(
                    rows: data.count,
                    parts: [(features.shape, featureValues), (targets.shape, targetValues)])
            }
        }
        cachedFingerprint = result
        return result
    }
}
