// The run log's builtins: `runs()` (the recorded runs as a table), a `Runs` value's sorting, filtering, comparison
// and export, a `Run`'s facts, and `runLog(path:)` to record elsewhere or not at all (docs/rigor.md).
import Foundation
import RichDisplay
import RigorScript
import RunLog

extension RigorLibrary {
    static let runKinds = Choices<RunKind?>(
        "RunKind", noun: "kind",
        [
            Choices.Choice("all", doc: "Every run.") { nil },
            Choices.Choice("fit", doc: "Each `fit`.") { .fit },
            Choices.Choice("evaluate", doc: "Each `evaluate`.") { .evaluate },
            Choices.Choice("trial", doc: "Each search trial.") { .trial },
            Choices.Choice("audit", doc: "Each audit.") { .audit },
        ])

    static func registerRunLog(in registry: BuiltinRegistry) {
        registry.beginFamily("Run log")
        registry.register(runKinds)
        registry.function(
            "runs",
            Arg("kind", choices: runKinds, defaultValue: .implicitMember(ImplicitMember(name: "all")), text: ".all"),
            Arg<Int?>("last", default: nil, bound: .atLeast(1)),
            doc: "The runs recorded in this notebook's run log (`runs.sqlite` beside it), oldest first: every `fit`, "
                + "`evaluate`, search trial and `audit` with its parameters, seed, data fingerprint, final metrics, "
                + "status, duration and rigor warnings (a fit run by a trial names the trial's run as its parent). "
                + "Shown as a table; `last:` keeps the newest n.",
            example: "runs(kind: .fit, last: 5)"
        ) { context, kind, last in
            let recorder = runRecorder(context)
            let log = try readLog(recorder)
            do {
                return RunsObject(try log.runs(kind: kind, limit: last), path: log.location)
            } catch {
                throw BuiltinError(.io, "\(error)")
            }
        }
        registry.function(
            "run", Arg<Int>(nil, "id"),
            doc: "One run of the run log by its number (the `run` column of `runs()`), shown with all its facts and "
                + "the messages of its rigor warnings.",
            example: "run(3).warnings"
        ) { context, id -> RunObject in
            let log = try readLog(runRecorder(context))
            do {
                return RunObject(try log.run(id))
            } catch {
                // A number the log does not have is the argument's fault; a log that cannot be read is not.
                let missing = (error as? RunLogError)?.message.contains("has no run \(id)") == true
                throw BuiltinError(missing ? .value : .io, "\(error)", parameter: "id")
            }
        }
        registry.function(
            "runLog", Arg<String?>("path", default: nil),
            doc: "Records this session's runs from now on in the SQLite file at `path` (created if missing) or, for a "
                + "team, in the PostgreSQL database of a `postgresql://user:password@host:port/database` URL; "
                + "`runLog(path: nil)` stops recording. Returns where runs go (a URL without its password). By "
                + "default a notebook records into `runs.sqlite` in its folder; `RIGOR_RUN_LOG` (a path, a URL, or "
                + "`off`) changes that for the kernel.",
            example: "runLog(path: \"experiments/runs.sqlite\")"
        ) { context, path -> String in
            let recorder = runRecorder(context)
            do {
                try recorder.use(path)
            } catch {
                throw BuiltinError(.io, "\(error)", parameter: "path")
            }
            return recorder.location ?? "off"
        }

        registry.function(
            "runLogSeconds",
            doc: "The seconds this session has spent opening and writing the run log: what recording its runs has "
                + "cost (compare the difference over a cell with the cell's time).",
            example: "runLogSeconds()"
        ) { context -> Double in
            let time = runRecorder(context).recordingTime.components
            return Double(time.seconds) + Double(time.attoseconds) * 1e-18
        }

        let runs = registry.type(RunsObject.self, doc: "Runs read from the run log, shown as a table.")
        runs.property("count", doc: "How many runs.") { $0.records.count }
        runs.property("path", doc: "The run log file they were read from.") { $0.path }
        runs.subscriptGetter { object, indices, _ in
            guard indices.count == 1, case .int(let index) = indices[0] else {
                throw BuiltinError(.type, "runs are indexed by position: runs()[0]")
            }
            guard object.records.indices.contains(index) else {
                throw BuiltinError(
                    .index, "index \(index) is out of range for \(object.records.count) run(s)")
            }
            return RunObject(object.records[index]).scriptValue
        }
        runs.iterate { object, _ in object.records.map { RunObject($0).scriptValue } }
        runs.method(
            "sorted", Arg<String>("by", "metric"), Arg("descending", default: false),
            doc: "The runs ordered by a final metric (`val_loss`, `accuracy`, …) or a parameter; runs without it go "
                + "last.",
            example: "runs(kind: .fit).sorted(by: \"val_loss\")"
        ) { object, _, metric, descending in
            try checkKnown(metric, in: object)
            let keyed = object.records.enumerated().map {
                (order: $0.offset, record: $0.element, key: sortKey($0.element, metric))
            }
            let ranked = keyed.filter { $0.key != nil }.sorted { a, b in
                guard let x = a.key, let y = b.key, x != y else { return a.order < b.order }
                return descending ? x > y : x < y
            }
            let unranked = keyed.filter { $0.key == nil }
            return RunsObject((ranked + unranked).map(\.record), path: object.path)
        }
        runs.method(
            "filter", Arg<FunctionValue>(nil, "isIncluded", type: "(Run) -> Bool"),
            doc: "The runs for which the closure returns true.",
            example: "runs().filter { run in run.status == \"finished\" && run.parameters[\"batchSize\"] == \"32\" }"
        ) { object, context, closure in
            var kept: [RunRecord] = []
            for record in object.records {
                let verdict = try context.call(closure.value, RunObject(record).scriptValue)
                guard case .bool(let include) = verdict else {
                    throw BuiltinError(
                        .type, "the closure returns Bool, not '\(verdict.typeName)'", parameter: "isIncluded")
                }
                if include { kept.append(record) }
            }
            return RunsObject(kept, path: object.path)
        }
        runs.method(
            "compare", Arg<String>(nil, "metric", type: "String"),
            doc: "One curve per run of a per-epoch metric (`loss`, `val_loss`, `accuracy`, …), to compare runs.",
            example: "runs(kind: .fit, last: 3).compare(\"val_loss\")"
        ) { object, _, metric in
            let names = Set(object.records.flatMap { RunObject($0).metricNames })
            guard names.contains(metric) else {
                let known = names.sorted().joined(separator: ", ")
                throw BuiltinError(
                    .value,
                    "no run here has a per-epoch '\(metric)'" + (known.isEmpty ? "" : "; they have: \(known)"),
                    parameter: "metric")
            }
            return PlotObject(object.comparison(metric))
        }
        runs.method(
            "export", Arg<String>("to", "path"),
            doc: "Writes the runs to a file, atomically: `.csv` (the table: one row per run), `.json` (every run "
                + "whole, per-epoch metrics, data fingerprints and versions included) or `.html`.",
            example: "runs().export(to: \"runs.json\")"
        ) { object, _, path in
            let fileExtension = (path as NSString).pathExtension.lowercased()
            do {
                if fileExtension == "json" {
                    try DisplayFile.writeAtomically(object.json, to: path)
                } else {
                    try DisplayFile.save(object.table, to: path)
                }
            } catch {
                throw BuiltinError(.io, String(describing: error), parameter: "path")
            }
        }

        let run = registry.type(RunObject.self, doc: "One recorded run.")
        run.property("id", doc: "The run's number in the log.") { $0.record.id }
        run.property("kind", doc: "`fit`, `evaluate`, `trial` or `audit`.") { $0.record.kind.rawValue }
        run.property(
            "status",
            doc: "`finished`, `pruned` (a trial its pruner stopped), `interrupted`, `failed`, `running`, or "
                + "`incomplete` (its process died mid-run)."
        ) { $0.record.status.rawValue }
        run.property(
            "parent", doc: "The run it ran inside (for a fit in a search objective, its trial's run), or nil."
        ) { $0.record.parent }
        run.property(
            "warnings", doc: "The rigor warnings shown while it ran, as `check: message`, in order."
        ) { $0.record.warnings.map { "\($0.check): \($0.message)" } }
        run.property("model", doc: "The model's layers and size.") { $0.record.title }
        run.property("seed", doc: "The seed it was given, or nil.") { $0.record.seed }
        run.property("cell", doc: "The cell that ran it (`In[5]`).") { $0.record.origin }
        run.property("source", doc: "That cell's code.") { $0.record.source }
        run.property("message", doc: "Why it failed or stopped, or nil.") { $0.record.message }
        run.property("duration", doc: "Seconds from start to end, or nil while running.") { $0.record.duration }
        run.property("parameters", type: "[String: String]", doc: "Its hyperparameters, as written.") {
            Value.dictionary(keysAndValues: $0.record.parameters.map { ($0.0, .string($0.1)) })
        }
        run.property("results", type: "[String: Double]", doc: "Its final metrics (a trial's: `value`).") {
            Value.dictionary(keysAndValues: $0.record.results.map { ($0.name, .double($0.value)) })
        }
        run.property("data", type: "[String: String]", doc: "The SHA-256 of each data set it saw, by role.") {
            Value.dictionary(keysAndValues: $0.record.data.map { ($0.0, .string($0.1.hex)) })
        }
        run.property("versions", type: "[String: String]", doc: "Rigor's, the BLAS library's, Swift's, the OS's.") {
            Value.dictionary(keysAndValues: $0.record.versions.map { ($0.0, .string($0.1)) })
        }
        run.method(
            "metric", Arg<String>(nil, "name"), doc: "A per-epoch metric's values (`run.metric(\"val_loss\")`).",
            example: "runs()[0].metric(\"loss\")"
        ) { object, _, name -> [Double] in
            guard object.metricNames.contains(name) else {
                throw BuiltinError(
                    .value,
                    "run \(object.record.id) has no per-epoch '\(name)'; it has: "
                        + object.metricNames.joined(separator: ", "), parameter: "name")
            }
            return object.record.series(name)
        }
        registerReproducibility(in: registry)
        registerReport(in: registry)
    }

    private static func readLog(_ recorder: RunRecorder) throws -> any RunLogStorage {
        do {
            return try recorder.readLog()
        } catch let error as BuiltinError {
            throw error
        } catch {
            throw BuiltinError(.io, "\(error)")
        }
    }

    /// What `sorted(by:)` orders a run by: its final metric `name`, else its parameter (numbers before text).
    private enum SortKey: Comparable {
        case number(Double)
        case text(String)
    }

    private static func sortKey(_ record: RunRecord, _ name: String) -> SortKey? {
        if let value = record.result(name) { return .number(value) }
        guard let text = record.parameter(name) else { return nil }
        return Double(text).map(SortKey.number) ?? .text(text)
    }

    /// A sort key must be some run's metric or parameter.
    private static func checkKnown(_ name: String, in runs: RunsObject) throws {
        let known = Set(
            runs.records.flatMap { $0.results.map(\.name) + $0.parameters.map(\.0) + RunObject($0).metricNames })
        guard runs.records.isEmpty || known.contains(name) else {
            throw BuiltinError(
                .value,
                "no run here has a metric or parameter '\(name)'; they have: "
                    + known.sorted().joined(separator: ", "), parameter: "metric")
        }
    }
}
