// StoredRun: a run as both storages keep it (the SQLite file and PostgreSQL): its lists as JSON text, read back into
// a `RunRecord` by one rule, so the two storages mean the same thing by every column.
import Foundation

/// One row of the runs table: the scalar columns as they are, the lists (parameters, data, versions, results) as
/// JSON text.
package struct StoredRun: Sendable {
    package var id: Int
    package var kind: String
    package var title: String
    package var status: String
    package var startedAt: Double
    package var endedAt: Double?
    package var seed: Int?
    package var parameters: String
    package var model: String
    package var data: String
    package var versions: String
    package var origin: String
    package var source: String
    package var results: String
    package var message: String?
    package var processID: Int
    package var host: String
    package var process: String
    package var parent: Int?

    package init(
        id: Int, kind: String, title: String, status: String, startedAt: Double, endedAt: Double?, seed: Int?,
        parameters: String, model: String, data: String, versions: String, origin: String, source: String,
        results: String, message: String?, processID: Int, host: String, process: String, parent: Int?
    ) {
        self.id = id
        self.kind = kind
        self.title = title
        self.status = status
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.seed = seed
        self.parameters = parameters
        self.model = model
        self.data = data
        self.versions = versions
        self.origin = origin
        self.source = source
        self.results = results
        self.message = message
        self.processID = processID
        self.host = host
        self.process = process
        self.parent = parent
    }

    /// The run as read back. A `running` row reads `incomplete` when its writer is known to be gone: `writerGone`
    /// (what the storage itself knows, e.g. PostgreSQL's session list), or, on this host, its process.
    package func record(
        epochs: [[RunValue]], warnings: [RunWarning], writerGone: Bool = false, location: String
    ) throws -> RunRecord {
        guard let kind = RunKind(rawValue: kind), var status = RunStatus(rawValue: status) else {
            throw RunLogError("run log '\(location)': run \(id) has kind '\(kind)' and status '\(status)'")
        }
        let processID = Int32(truncatingIfNeeded: processID)
        if status == .running {
            let identity = ProcessIdentity.current
            if writerGone || (host == identity.hostName && !ProcessIdentity.isAlive(processID, token: process)) {
                status = .incomplete
            }
        }
        let pairs = { (text: String, what: String) throws -> [(String, String)] in
            try RunLog.decode([[String]].self, text, what: what).compactMap { $0.count == 2 ? ($0[0], $0[1]) : nil }
        }
        let data = try RunLog.decode([StoredData].self, data, what: "run \(id)'s data").map {
            ($0.role, DataFingerprint(hex: $0.sha256, rows: $0.rows))
        }
        return RunRecord(
            id: id, kind: kind, title: title, status: status, startedAt: Date(timeIntervalSince1970: startedAt),
            endedAt: endedAt.map(Date.init(timeIntervalSince1970:)), seed: seed,
            parameters: try pairs(parameters, "run \(id)'s parameters"), model: model, data: data,
            versions: try pairs(versions, "run \(id)'s versions"), origin: origin, source: source, epochs: epochs,
            results: try RunLog.decode([RunValue].self, results, what: "run \(id)'s results"), message: message,
            processID: processID, hostName: host, parent: parent, warnings: warnings)
    }

    /// Per-run epoch lists from `(run, epoch, metrics JSON)` rows in run and epoch order: `epochs[i]` holds epoch
    /// i + 1 (a missing epoch is an empty list).
    package static func epochs(_ rows: [(run: Int, epoch: Int, metrics: String)]) throws -> [Int: [[RunValue]]] {
        var epochs: [Int: [[RunValue]]] = [:]
        for row in rows where row.epoch >= 1 {
            let metrics = try RunLog.decode([RunValue].self, row.metrics, what: "run \(row.run)'s epochs")
            var series = epochs[row.run, default: []]
            while series.count < row.epoch - 1 { series.append([]) }
            series.append(metrics)
            epochs[row.run] = series
        }
        return epochs
    }

    /// The process writing a run: its id, host and start token (`ProcessIdentity`).
    package static var writer: (processID: Int, host: String, token: String) {
        let identity = ProcessIdentity.current
        return (Int(identity.processID), identity.hostName, identity.token)
    }
}

/// A run's start as stored: its lists as JSON text.
package struct EncodedStart: Sendable {
    package var parameters: String
    package var data: String
    package var versions: String

    package init(_ start: RunStart) throws {
        parameters = try Self.parameters(start.parameters)
        data = try RunLog.encode(start.data.map { StoredData(role: $0.0, sha256: $0.1.hex, rows: $0.1.rows) })
        versions = try RunLog.encode(start.versions.map { [$0.0, $0.1] })
    }

    /// Name–value pairs as stored (a JSON list of pairs, in order).
    package static func parameters(_ pairs: [(String, String)]) throws -> String {
        try RunLog.encode(pairs.map { [$0.0, $0.1] })
    }
}

/// A data fingerprint as stored in a run's `data` column.
struct StoredData: Codable {
    var role: String
    var sha256: String
    var rows: Int
}
