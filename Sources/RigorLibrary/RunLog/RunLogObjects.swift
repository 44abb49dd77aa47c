// RunLogObjects: `Runs` (some runs of the log, shown as a table) and `Run` (one of them), the run log's script
// values.
import Foundation
import RichDisplay
import RigorScript
import RunLog

/// A run read back from the log.
final class RunObject: NativeObject, ArgumentType, ScriptValueConvertible, MIMERepresentable {
    static var scriptTypeName: String { "Run" }
    let record: RunRecord
    init(_ record: RunRecord) { self.record = record }
    var typeName: String { "Run" }
    var description: String { "Run \(record.id): \(record.kind.rawValue) \(record.status.rawValue), \(record.title)" }

    /// The metric names of the epochs, in first-seen order.
    var metricNames: [String] {
        var names: [String] = []
        for epoch in record.epochs {
            for value in epoch where !names.contains(value.name) { names.append(value.name) }
        }
        return names
    }

    /// Every fact of the run as a two-column table.
    var table: Table {
        var rows: [[TableCell]] = [
            [.text("kind"), .text(record.kind.rawValue)], [.text("status"), .text(record.status.rawValue)],
            [.text("model"), .text(record.title)],
        ]
        if let message = record.message { rows.append([.text("message"), .text(message)]) }
        if !record.origin.isEmpty { rows.append([.text("cell"), .text(record.origin)]) }
        if let seed = record.seed { rows.append([.text("seed"), .integer(seed)]) }
        rows += record.parameters.map { [.text($0.0), .text($0.1)] }
        rows += record.results.map { [.text($0.name), .number($0.value)] }
        rows += record.data.map { [.text("\($0.0) data"), .text("\($0.1.short) (\($0.1.rows) rows)")] }
        if let duration = record.duration { rows.append([.text("duration (s)"), .number(duration)]) }
        rows += record.versions.map { [.text("\($0.0) version"), .text($0.1)] }
        return Table(columns: ["", "run \(record.id)"], rows: rows, title: "Run \(record.id)")
    }

    var mimeBundle: MIMEBundle { table.mimeBundle }
}

/// Runs of the log, oldest first, as `runs()` returned them (or sorted or filtered since).
final class RunsObject: NativeObject, ArgumentType, ScriptValueConvertible, MIMERepresentable {
    static var scriptTypeName: String { "Runs" }
    let records: [RunRecord]
    let path: String
    init(_ records: [RunRecord], path: String) {
        self.records = records
        self.path = path
    }
    var typeName: String { "Runs" }
    var description: String { table.plainText }

    /// The final metrics worth a column: those some run has, common ones first.
    private var metricColumns: [String] {
        let preferred = ["loss", "val_loss", "accuracy", "val_accuracy"]
        var names: [String] = []
        for record in records {
            for value in record.results where value.name != "epochs" && value.name != "bestEpoch" {
                if !names.contains(value.name) { names.append(value.name) }
            }
        }
        return preferred.filter(names.contains) + names.filter { !preferred.contains($0) && $0 != "learning_rate" }
    }

    /// The parameters worth a column: those some run has, in first-seen order.
    private var parameterColumns: [String] {
        var names: [String] = []
        for record in records {
            for (name, _) in record.parameters where !names.contains(name) { names.append(name) }
        }
        return names
    }

    /// One row per run: what it was, how it ended, its parameters and final metrics, its data and duration.
    var table: Table {
        let parameters = parameterColumns
        let metrics = metricColumns
        let rows: [[(String, TableCell)]] = records.map { record in
            var row: [(String, TableCell)] = [
                ("run", .integer(record.id)), ("kind", .text(record.kind.rawValue)),
                ("status", .text(record.status.rawValue)), ("cell", .text(record.origin)),
                ("model", .text(record.title)),
                ("seed", record.seed.map { .integer($0) } ?? .empty),
            ]
            for name in parameters { row.append((name, record.parameter(name).map { .text($0) } ?? .empty)) }
            for name in metrics {
                row.append((name, record.results.first { $0.name == name }.map { .number($0.value) } ?? .empty))
            }
            let data = record.data.first { $0.0 == "training" } ?? record.data.first
            row.append(("data", data.map { .text($0.1.short) } ?? .empty))
            row.append(("duration (s)", record.duration.map { .number($0) } ?? .empty))
            return row
        }
        if records.isEmpty {
            return Table(columns: ["run", "kind", "status"], rows: [], title: "Runs in \(path) (none yet)")
        }
        var table = Table(rows: rows, title: "Runs in \((path as NSString).lastPathComponent) (\(records.count))")
        if metrics.contains("val_loss") { table.highlight("val_loss", best: .lowest) }
        if metrics.contains("val_accuracy") { table.highlight("val_accuracy", best: .highest) }
        table.decimalPlaces["duration (s)"] = 2
        return table
    }

    var mimeBundle: MIMEBundle { table.mimeBundle }

    /// One curve per run of `metric` over its epochs.
    func comparison(_ metric: String) -> Plot {
        var plot = Plot(title: "\(metric) by epoch", x: "epoch", y: metric)
        for record in records {
            let series = record.series(metric)
            guard !series.isEmpty else { continue }
            plot.line(series, label: "run \(record.id)")
        }
        return plot
    }

    /// Every run whole (epochs included), as JSON for other tools.
    var json: String {
        struct Export: Encodable {
            var id: Int
            var kind, status, title, model, origin, source: String
            var seed: Int?
            var startedAt: Double
            var durationSeconds: Double?
            var message: String?
            var parameters: [String: String]
            var results: [String: Double]
            var epochs: [[String: Double]]
            var data: [String: String]
            var dataRows: [String: Int]
            var versions: [String: String]
        }
        let exports = records.map { record in
            Export(
                id: record.id, kind: record.kind.rawValue, status: record.status.rawValue, title: record.title,
                model: record.model, origin: record.origin, source: record.source, seed: record.seed,
                startedAt: record.startedAt.timeIntervalSince1970, durationSeconds: record.duration,
                message: record.message,
                parameters: Dictionary(record.parameters, uniquingKeysWith: { $1 }),
                results: Dictionary(record.results.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 }),
                epochs: record.epochs.map { Dictionary($0.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 }) },
                data: Dictionary(record.data.map { ($0.0, $0.1.hex) }, uniquingKeysWith: { $1 }),
                dataRows: Dictionary(record.data.map { ($0.0, $0.1.rows) }, uniquingKeysWith: { $1 }),
                versions: Dictionary(record.versions, uniquingKeysWith: { $1 }))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return String(decoding: (try? encoder.encode(exports)) ?? Data("[]".utf8), as: UTF8.self) + "\n"
    }
}
