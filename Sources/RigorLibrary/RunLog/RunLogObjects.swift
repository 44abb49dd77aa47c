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
        if let parent = record.parent { rows.append([.text("parent run"), .integer(parent)]) }
        if !record.origin.isEmpty { rows.append([.text("cell"), .text(record.origin)]) }
        if let seed = record.seed { rows.append([.text("seed"), .integer(seed)]) }
        rows += record.parameters.map { [.text($0.0), .text($0.1)] }
        rows += record.results.map { [.text($0.name), .number($0.value)] }
        rows += record.data.map { [.text("\($0.0) data"), .text("\($0.1.short) (\($0.1.rows) rows)")] }
        if let duration = record.duration { rows.append([.text("duration (s)"), .number(duration)]) }
        rows += record.versions.map { [.text("\($0.0) version"), .text($0.1)] }
        rows += record.warnings.enumerated().map { index, warning in
            [.text("⚠ warning \(index + 1)"), .text("\(warning.check): \(warning.message)")]
        }
        return Table(columns: ["", "run \(record.id)"], rows: rows, title: "Run \(record.id)")
    }

    var mimeBundle: MIMEBundle { table.mimeBundle }

    /// "⚠ 2: test-split, overfitting": how many warnings the run gave and of which checks (each named once, in
    /// order), or nil without warnings.
    static func warningSummary(_ warnings: [RunWarning]) -> String? {
        guard !warnings.isEmpty else { return nil }
        var checks: [String] = []
        for warning in warnings where !checks.contains(warning.check) { checks.append(warning.check) }
        return "⚠ \(warnings.count): " + checks.joined(separator: ", ")
    }
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

    /// A parameter as a cell: a sampled real number (`0.00019347052643541916`) as a number, shown to the table's
    /// significant digits and kept exact in CSV/JSON; anything else (`20`, `.adam(learningRate: 0.001)`) as written.
    static func parameterCell(_ text: String) -> TableCell {
        guard text.contains("."), !text.hasPrefix("."), let value = Double(text), value.isFinite else {
            return .text(text)
        }
        return .number(value)
    }

    /// One row per run: what it was, how it ended, its parameters and final metrics, its data and duration.
    var table: Table {
        let parameters = parameterColumns
        let metrics = metricColumns
        let hasParents = records.contains { $0.parent != nil }
        let hasWarnings = records.contains { !$0.warnings.isEmpty }
        // Trials see no data of their own (their fits do): no empty column for a table of trials.
        let hasData = records.contains { !$0.data.isEmpty }
        let rows: [[(String, TableCell)]] = records.map { record in
            var row: [(String, TableCell)] = [
                ("run", .integer(record.id)), ("kind", .text(record.kind.rawValue)),
                ("status", .text(record.status.rawValue)),
            ]
            // A fit in a search trial's objective names its trial's run.
            if hasParents { row.append(("parent run", record.parent.map { .integer($0) } ?? .empty)) }
            row += [
                ("cell", .text(record.origin)), ("model", .text(record.title)),
                ("seed", record.seed.map { .integer($0) } ?? .empty),
            ]
            for name in parameters {
                row.append((name, record.parameter(name).map(Self.parameterCell) ?? .empty))
            }
            for name in metrics {
                row.append((name, record.results.first { $0.name == name }.map { .number($0.value) } ?? .empty))
            }
            if hasData {
                let data = record.data.first { $0.0 == "training" } ?? record.data.first
                row.append(("data", data.map { .text($0.1.short) } ?? .empty))
            }
            row.append(("duration (s)", record.duration.map { .number($0) } ?? .empty))
            if hasWarnings {
                row.append(("warnings", RunObject.warningSummary(record.warnings).map { .text($0) } ?? .empty))
            }
            return row
        }
        if records.isEmpty {
            return Table(columns: ["run", "kind", "status"], rows: [], title: "Runs in \(path) (none yet)")
        }
        let place = RunRecorder.isDatabaseURL(path) ? path : (path as NSString).lastPathComponent
        var table = Table(rows: rows, title: "Runs in \(place) (\(records.count))")
        if metrics.contains("val_loss") { table.highlight("val_loss", best: .lowest) }
        if metrics.contains("val_accuracy") { table.highlight("val_accuracy", best: .highest) }
        // Trials of one study: the best value is the study's best trial (its direction is in the trials' title).
        if metrics.contains("value"), let direction = trialDirection {
            table.highlight("value", best: direction == "maximize" ? .highest : .lowest)
        }
        table.decimalPlaces["duration (s)"] = 2
        return table
    }

    var mimeBundle: MIMEBundle { table.mimeBundle }

    /// The direction every trial here was optimized in, when they are all trials of studies with one direction.
    private var trialDirection: String? {
        let directions = Set(records.map { $0.kind == .trial ? $0.parameter("direction") : nil })
        guard directions.count == 1, let direction = directions.first else { return nil }
        return direction
    }

    /// One curve per run of `metric` over its epochs (a trial's intermediate values over their steps).
    func comparison(_ metric: String) -> Plot {
        let trials = records.allSatisfy { $0.kind == .trial }
        var plot = Plot(title: "\(metric) by \(trials ? "step" : "epoch")", x: trials ? "step" : "epoch", y: metric)
        for record in records {
            // A trial's entry i holds its value reported at step i; a fit's holds epoch i + 1.
            var x: [Double] = []
            var y: [Double] = []
            for (index, values) in record.epochs.enumerated() {
                guard let value = values.first(where: { $0.name == metric })?.value else { continue }
                x.append(Double(record.kind == .trial ? index : index + 1))
                y.append(value)
            }
            guard !y.isEmpty else { continue }
            let label =
                record.kind == .trial
                ? "trial \(record.parameter("trial") ?? "?") (run \(record.id))" : "run \(record.id)"
            // A trial pruned at its first report has one point: a marker shows it where a line could not.
            plot.line(x: x, y: y, label: label, marker: y.count == 1 ? .circle : .none)
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
            var parent: Int?
            var warnings: [RunWarning]
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
                versions: Dictionary(record.versions, uniquingKeysWith: { $1 }), parent: record.parent,
                warnings: record.warnings)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return String(decoding: (try? encoder.encode(exports)) ?? Data("[]".utf8), as: UTF8.self) + "\n"
    }
}
