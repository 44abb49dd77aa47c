// What the run log keeps of one run: a `fit`, an `evaluate`, a search trial or an audit, with what it was given
// (parameters, model, seed, data fingerprints, versions), what it measured (per-epoch metrics, final results) and
// how it ended.
import Foundation

/// What kind of work a run was.
public enum RunKind: String, Codable, Sendable, CaseIterable {
    case fit, evaluate, trial, audit
}

/// How a run ended. `running` is stored while it runs; a reader sees `incomplete` for a running entry whose process
/// is gone (a kernel killed mid-fit): only that entry is partial. `pruned` is a search trial its study's pruner
/// stopped early.
public enum RunStatus: String, Codable, Sendable, CaseIterable {
    case running, finished, pruned, interrupted, failed, incomplete
}

/// A rigor warning shown while a run ran: the check's name (`test-split`) and what it said.
public struct RunWarning: Sendable, Equatable, Codable {
    public var check: String
    public var message: String
    public init(check: String, message: String) {
        self.check = check
        self.message = message
    }
}

/// One named number (a hyperparameter, a metric).
public struct RunValue: Codable, Sendable, Equatable {
    public var name: String
    public var value: Double
    public init(_ name: String, _ value: Double) {
        self.name = name
        self.value = value
    }
}

/// One finished epoch (from 1) of a run, or one reported step of a search trial (step + 1), waiting to be written.
public struct RunEpoch: Sendable, Equatable {
    public var epoch: Int
    public var metrics: [RunValue]
    public init(_ epoch: Int, _ metrics: [RunValue]) {
        self.epoch = epoch
        self.metrics = metrics
    }
}

/// What a run is told when it begins.
public struct RunStart: Sendable, Equatable {
    public var kind: RunKind
    /// A short description, e.g. "Sequential 64-128-10, adam(learningRate: 0.001)".
    public var title: String
    /// Hyperparameters as text, in the order given (`epochs` → "20", `optimizer` → "adam(learningRate: 0.001)").
    public var parameters: [(String, String)]
    public var seed: Int?
    /// The model's summary (layers and parameter counts), as text.
    public var model: String
    /// Content hashes of the data the run saw, by role ("training", "validation", "data").
    public var data: [(String, DataFingerprint)]
    /// Tool versions; `RunLog.environment` gives the defaults.
    public var versions: [(String, String)]
    /// Where the run was started: a notebook's cell number, a script's name.
    public var origin: String
    /// The source of the cell or script that started it.
    public var source: String
    /// The run this one ran inside (a `fit` in a search trial's objective: the trial's id), or nil.
    public var parent: Int?

    public init(
        kind: RunKind, title: String, parameters: [(String, String)] = [], seed: Int? = nil, model: String = "",
        data: [(String, DataFingerprint)] = [], versions: [(String, String)] = RunLog.environment, origin: String = "",
        source: String = "", parent: Int? = nil
    ) {
        self.source = source
        self.parent = parent
        self.kind = kind
        self.title = title
        self.parameters = parameters
        self.seed = seed
        self.model = model
        self.data = data
        self.versions = versions
        self.origin = origin
    }

    public static func == (a: RunStart, b: RunStart) -> Bool {
        a.kind == b.kind && a.title == b.title && a.parameters.elementsEqual(b.parameters, by: ==)
            && a.seed == b.seed && a.model == b.model && a.data.elementsEqual(b.data, by: ==)
            && a.versions.elementsEqual(b.versions, by: ==) && a.origin == b.origin && a.source == b.source
            && a.parent == b.parent
    }
}

/// One run as read back from the log.
public struct RunRecord: Sendable, Equatable {
    public var id: Int
    public var kind: RunKind
    public var title: String
    public var status: RunStatus
    public var startedAt: Date
    /// nil while running (or when the process died).
    public var endedAt: Date?
    public var seed: Int?
    public var parameters: [(String, String)]
    public var model: String
    public var data: [(String, DataFingerprint)]
    public var versions: [(String, String)]
    public var origin: String
    public var source: String
    /// Per-epoch (or per-step) metrics: `epochs[i]` holds step i + 1's values.
    public var epochs: [[RunValue]]
    /// Final results (e.g. `loss`, `val_loss`, `accuracy`).
    public var results: [RunValue]
    /// Why it failed or stopped, when it did.
    public var message: String?
    public var processID: Int32
    public var hostName: String
    /// The run it ran inside (a search trial, for a `fit` in its objective), or nil.
    public var parent: Int?
    /// The rigor warnings shown while it ran, in order.
    public var warnings: [RunWarning]

    /// Seconds from start to end, or nil while running.
    public var duration: TimeInterval? { endedAt.map { $0.timeIntervalSince(startedAt) } }

    /// The series of one metric over the epochs (missing epochs are skipped).
    public func series(_ name: String) -> [Double] {
        epochs.compactMap { values in values.first { $0.name == name }?.value }
    }

    /// The final value of a result, else the metric's last epoch.
    public func result(_ name: String) -> Double? {
        results.first { $0.name == name }?.value ?? series(name).last
    }

    public func parameter(_ name: String) -> String? {
        parameters.first { $0.0 == name }?.1
    }

    public static func == (a: RunRecord, b: RunRecord) -> Bool {
        a.id == b.id && a.kind == b.kind && a.title == b.title && a.status == b.status && a.startedAt == b.startedAt
            && a.endedAt == b.endedAt && a.seed == b.seed && a.parameters.elementsEqual(b.parameters, by: ==)
            && a.model == b.model && a.data.elementsEqual(b.data, by: ==)
            && a.versions.elementsEqual(b.versions, by: ==) && a.origin == b.origin && a.source == b.source
            && a.epochs == b.epochs
            && a.results == b.results && a.message == b.message && a.processID == b.processID
            && a.hostName == b.hostName && a.parent == b.parent && a.warnings == b.warnings
    }
}
