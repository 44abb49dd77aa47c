// Search: hyperparameter studies as builtins (`Study`, `study.optimize { trial in … }`, samplers, pruners, storages,
// the trial table and charts) and cross-validation (`kFold`, `stratifiedKFold`, `crossValidate`), over the `Search`
// engine (docs/search.md).
import Foundation
import NeuralNetworks
import RichDisplay
import RigorScript
import RunLog
import Search

/// The error kind of `trial.prune()`: it ends the objective, and the study records the trial as pruned.
extension ErrorKind {
    static let trialPruned = ErrorKind("TrialPruned")
}

extension RigorLibrary {
    // MARK: choice tables

    /// `sampler: .tpe()`: how a study proposes parameters.
    static var samplers: Choices<SamplerKind> {
        let grid = Arg<[String: [ParameterValue]]>(nil, "values", type: "[String: [Any]]") { value, _ in
            guard let entries = value.dictionaryEntries else { return nil }
            guard !entries.isEmpty else {
                throw BuiltinError(.value, "a grid needs at least one parameter: .grid([\"rate\": [0.1, 0.01]])")
            }
            var grid: [String: [ParameterValue]] = [:]
            for (key, list) in entries {
                guard case .string(let name) = key else {
                    throw BuiltinError(.type, "grid parameter names are strings, not '\(key.typeName)'")
                }
                guard case .array(let items) = list else {
                    throw BuiltinError(
                        .type, "grid parameter '\(name)' needs an array of values, not '\(list.typeName)'")
                }
                guard !items.isEmpty else { throw BuiltinError(.value, "grid parameter '\(name)' has no values") }
                grid[name] = try items.map { item in
                    guard let value = ParameterValue(item) else {
                        throw BuiltinError(
                            .type,
                            "grid parameter '\(name)': values are numbers, strings or flags, not '\(item.typeName)'")
                    }
                    return value
                }
            }
            return grid
        }
        let startup = Arg<Int>("startupTrials", default: 10, bound: .atLeast(0))
        let gaussianProcess: (Int, Int, Int) -> SamplerKind = { startup, candidates, searches in
            .gaussianProcess(GPOptions(startupTrials: startup, candidates: candidates, localSearches: searches))
        }
        let gpArguments = (
            Arg<Int>("startupTrials", default: 10, bound: .atLeast(1)),
            Arg<Int>("candidates", default: 2048, bound: .atLeast(1)),
            Arg<Int>("localSearches", default: 10, bound: .atLeast(0))
        )
        return Choices<SamplerKind>(
            "Sampler", noun: "sampler",
            [
                Choices.Choice(
                    "grid", grid,
                    doc: "Every combination of the listed values once, in a seeded order; the study ends when the grid "
                        + "is done (`optimize` without `trials:` runs all of it)."
                ) { .grid($0) },
                Choices.Choice("random", doc: "Independent uniform draws (log-uniform for log ranges).") { .random },
                Choices.Choice("sobol", doc: "A scrambled Sobol' sequence: low-discrepancy points, seeded.") { .sobol },
                Choices.Choice(
                    "tpe", startup, Arg("candidates", default: 24, bound: .atLeast(1)),
                    Arg("priorWeight", default: 1.0, bound: .greaterThan(0)), Arg("multivariate", default: true),
                    doc: "The tree-structured Parzen estimator with Optuna 5's defaults (random for the first "
                        + "`startupTrials`)."
                ) { startup, candidates, priorWeight, multivariate in
                    .tpe(
                        TPEOptions(
                            startupTrials: startup, candidates: candidates, priorWeight: priorWeight,
                            multivariate: multivariate))
                },
                Choices.Choice(
                    "gaussianProcess", gpArguments.0, gpArguments.1, gpArguments.2,
                    doc: "Bayesian optimisation as Optuna's GPSampler: a Matérn 5/2 Gaussian process and log expected "
                        + "improvement (random for the first `startupTrials`)."
                ) { gaussianProcess($0, $1, $2) },
                Choices.Choice(
                    "gp", gpArguments.0, gpArguments.1, gpArguments.2, doc: "`.gaussianProcess`, shorter."
                ) { gaussianProcess($0, $1, $2) },
            ])
    }

    /// `pruner: .median()`: when a study stops a trial early.
    static var pruners: Choices<PrunerKind> {
        Choices<PrunerKind>(
            "Pruner", noun: "pruner",
            [
                Choices.Choice("none", doc: "Never prune.") { PrunerKind.none },
                Choices.Choice(
                    "median", Arg("startupTrials", default: 5, bound: .atLeast(0)),
                    Arg("warmupSteps", default: 0, bound: .atLeast(0)),
                    Arg("intervalSteps", default: 1, bound: .atLeast(1)),
                    Arg("minTrials", default: 1, bound: .atLeast(1)),
                    doc: "Optuna's MedianPruner: prune when the trial's best value so far is worse than the median of "
                        + "the finished trials' values at the same step."
                ) { .median(startupTrials: $0, warmupSteps: $1, intervalSteps: $2, minTrials: $3) },
                Choices.Choice(
                    "successiveHalving", Arg("minResource", default: 1, bound: .atLeast(1)),
                    Arg("reductionFactor", default: 4, bound: .atLeast(2)),
                    Arg("minEarlyStoppingRate", default: 0, bound: .atLeast(0)),
                    doc: "Optuna's SuccessiveHalvingPruner: at step minResource·η^r a trial goes on only if it is in "
                        + "the best 1/η there."
                ) { .successiveHalving(minResource: $0, reductionFactor: $1, minEarlyStoppingRate: $2) },
            ])
    }

    /// `storage: "studies.sqlite"`, a PostgreSQL URL, or `.memory`.
    static var storages: Choices<StudyStorageSpec> {
        Choices<StudyStorageSpec>(
            "StudyStorage", noun: "study storage",
            [
                Choices.Choice("memory", doc: "In this session only (lost at a restart).") { .memory },
                Choices.Choice(
                    "sqlite", Arg<String>(nil, "path", bound: .nonEmpty),
                    Arg("busyTimeout", default: 5.0, bound: .atLeast(0)),
                    doc: "A SQLite file (several processes may share it; waits `busyTimeout` s for a lock)."
                ) { .sqlite(path: $0, busyTimeout: $1) },
                Choices.Choice(
                    "postgres", Arg<String>(nil, "url"), Arg("connectTimeout", default: 10.0, bound: .greaterThan(0)),
                    doc: "A PostgreSQL database, `postgresql://user:password@host:port/database`, shared by workers on "
                        + "many machines."
                ) { .postgres(url: $0, connectTimeout: $1) },
            ])
    }

    static var directions: Choices<Direction> {
        Choices<Direction>(
            "Direction", noun: "direction",
            [
                Choices.Choice("minimize", doc: "Smaller objective values are better.") { .minimize },
                Choices.Choice("maximize", doc: "Larger objective values are better.") { .maximize },
            ])
    }

    static func storageArgument(default text: String = SQLiteStorage.defaultPath) -> Arg<StudyStorageSpec> {
        Arg(
            "storage", choices: storages, defaultValue: .string(text), text: "\"\(text)\"",
            also: { value, _ in
                guard case .string(let text) = value else { return nil }
                guard !text.isEmpty else { throw BuiltinError(.value, "the storage path is empty") }
                return StudyStorageSpec(text: text)
            })
    }

    // MARK: registration

    static func registerSearch(in registry: BuiltinRegistry) {
        registry.beginFamily("Search")
        registry.register(samplers)
        registry.register(pruners)
        registry.register(parameterSpaces)
        registry.register(storages)
        registry.register(directions)
        let watch = ObjectiveWatch()
        registerStudy(in: registry, watch: watch)
        registerTrial(in: registry)
        registerCrossValidation(in: registry)
        // A search that looks at the test split tunes on it: the objective's reads of `data.test` are counted (the
        // property is declared again here, over the Data family's, with the same meaning).
        registry.type(SplitObject.self).property(
            "test", doc: "The test part, if any (a study's objective that reads it gets a warning: tune on validation)."
        ) { split -> DatasetObject? in
            if watch.running > 0 { watch.testReads += 1 }
            return split.test
        }
    }

    private static func registerStudy(in registry: BuiltinRegistry, watch: ObjectiveWatch) {
        let type = registry.type(
            StudyObject.self,
            doc: "A hyperparameter search: trials of an objective, a sampler, a pruner, and a storage that keeps every "
                + "trial as it finishes. Shows as its trial table.")
        type.initializer(
            Arg<String>(nil, "name", bound: .nonEmpty),
            Arg(
                "direction", choices: directions, defaultValue: .implicitMember(ImplicitMember(name: "minimize")),
                text: ".minimize"),
            Arg(
                "sampler", choices: samplers, defaultValue: .implicitMember(ImplicitMember(name: "tpe")),
                text: ".tpe"),
            Arg("pruner", choices: pruners, defaultValue: .implicitMember(ImplicitMember(name: "none")), text: ".none"),
            Arg<Seed>.trackedSeed(), storageArgument(),
            doc: "Creates the study `name` in `storage` — a SQLite file next to the notebook by default, `.memory`, or "
                + "a PostgreSQL URL that many workers share — or resumes the stored one of that name (its trials "
                + "feed the sampler; this call's sampler, pruner and seed are used from now on). The same seed gives "
                + "the same trials.",
            example:
                "let study = Study(\"digits-mlp\", direction: .minimize, sampler: .tpe(), pruner: .median(), seed: 0)"
        ) { context, name, direction, sampler, pruner, seed, storage -> StudyObject in
            RigorChecks.checkSeed(seed, of: "Study", in: context)
            let opened = try storage.open()
            let study: Study
            do {
                study = try Study(
                    name, direction: direction, sampler: sampler, pruner: pruner, seed: seed.generatorSeed,
                    storage: opened)
            } catch let error as SearchError {
                switch error.kind {
                case .studyMismatch: throw searchError(error, parameter: "direction")
                case .invalidArgument: throw searchError(error, parameter: "sampler")
                default: throw searchError(error, parameter: "storage")
                }
            }
            let stored = try search(parameter: "storage") { try study.trials }.filter { $0.state != .waiting }.count
            if stored > 0 {
                context.write(
                    "note: resuming study '\(name)' from \(storage.description) (\(stored) trial"
                        + (stored == 1 ? "" : "s") + " stored)\n", to: .standardError)
            }
            return StudyObject(study, storage: storage)
        }
        type.staticFunction(
            "load", Arg<String>(nil, "name", bound: .nonEmpty), storageArgument(),
            doc: "The stored study `name`, with the sampler, pruner and seed it was created with: `optimize` continues "
                + "where it stopped (after a kernel restart, or on another machine).",
            example: "let study = Study.load(\"digits-mlp\")"
        ) { _, name, storage -> StudyObject in
            if case .sqlite(let path, _) = storage, !FileManager.default.fileExists(atPath: path) {
                throw BuiltinError(.io, "no study file '\(path)'", parameter: "storage")
            }
            let opened = try storage.open()
            let study = try search(parameter: "name") { try Study.load(name, storage: opened) }
            return StudyObject(study, storage: storage)
        }
        type.staticFunction(
            "delete", Arg<String>(nil, "name", bound: .nonEmpty), storageArgument(),
            doc: "Deletes the stored study `name` and all its trials.",
            example: "Study.delete(\"digits-mlp\")"
        ) { _, name, storage -> Bool in
            if case .sqlite(let path, _) = storage, !FileManager.default.fileExists(atPath: path) {
                throw BuiltinError(.io, "no study file '\(path)'", parameter: "storage")
            }
            let opened = try storage.open()
            try search(parameter: "name") { try Study.delete(name, storage: opened) }
            return true
        }
        type.staticFunction(
            "names", storageArgument(), doc: "The names of the studies stored in `storage`.",
            example: "Study.names(storage: \"studies.sqlite\")"
        ) { _, storage -> [String] in
            let opened = try storage.open()
            return try search(parameter: "storage") { try opened.studyNames() }
        }

        type.property("name", doc: "The study's name.") { $0.study.name }
        type.property("direction", doc: "\"minimize\" or \"maximize\".") { $0.study.direction.rawValue }
        type.property("trials", doc: "Every trial, by number (`TrialRecord`s), from every worker.") { object in
            try object.results().trials.filter { $0.state != .waiting }.map(TrialRecordObject.init)
        }
        type.property("best", doc: "The best complete trial (a `TrialRecord`), or nil before the first.") { object in
            try object.results().best.map(TrialRecordObject.init)
        }
        type.property("bestValue", doc: "The best complete trial's value, or nil.") { object in
            try object.results().best?.value
        }
        type.property("bestParams", type: "[String: Any]?", doc: "The best complete trial's parameters, or nil.") {
            object in
            try object.results().best.map { TrialRecordObject($0).params } ?? .nil
        }
        type.property(
            "table", type: "Table",
            doc: "The trial table (trial, state, value, each parameter, duration, note; the best value highlighted); "
                + "`save(study.table, to: \"trials.csv\")` exports it."
        ) { object in DisplayObject("Table", try object.results().table).scriptValue }
        type.property("csv", doc: "The trial table as CSV (full precision).") { try $0.results().csv }
        type.method(
            "enqueue",
            Arg<[String: ParameterValue]>(nil, "params", type: "[String: Any]") { value, _ in
                guard let entries = value.dictionaryEntries else { return nil }
                var params: [String: ParameterValue] = [:]
                for (key, item) in entries {
                    guard case .string(let name) = key, let parameter = ParameterValue(item) else {
                        throw BuiltinError(
                            .type, "parameters are [String: number, string or flag], found '\(item.typeName)'")
                    }
                    params[name] = parameter
                }
                return params
            },
            doc: "Queues a trial with fixed parameters (a known good setting); the next `optimize` runs it first.",
            example: "study.enqueue([\"lr\": 0.01, \"width\": 64])"
        ) { object, _, params in
            try search(parameter: "params") { try object.study.enqueue(params) }
        }
        registerOptimize(on: type, watch: watch)
        registerCharts(on: type)
    }

    private static func registerCharts(on type: TypeBuilder<StudyObject>) {
        type.method(
            "historyPlot", doc: "Each complete trial's value and the best so far, by trial (an SVG chart).",
            example: "study.historyPlot()"
        ) { object, _ in PlotObject(try object.results().historyPlot) }
        type.method(
            "importances", returns: "[String: Double]",
            doc: "Each parameter's share of importance, largest first: permutation importance on a Gaussian-process "
                + "surrogate fitted to the complete trials (not fANOVA), over the parameters every complete trial "
                + "has; shares sum to 1; deterministic.",
            example: "study.importances()   // [\"lr\": 0.81, \"width\": 0.19]"
        ) { object, _ -> Value in
            let values = try object.results().importances()
            return parameterDictionary(values.map { ($0.name, .double($0.importance)) })
        }
        type.method(
            "importancePlot", doc: "The importances as a bar chart.", example: "study.importancePlot()"
        ) { object, _ in PlotObject(try object.results().importancePlot()) }
        type.method(
            "parallelCoordinatePlot",
            doc: "One axis for the objective and one per parameter (log axes for log ranges), a line per complete "
                + "trial coloured by its value, the best thicker.",
            example: "study.parallelCoordinatePlot()"
        ) { object, _ in DisplayObject("ParallelCoordinates", try object.results().parallelCoordinates) }
        type.method(
            "slicePlot", Arg<String>(nil, "parameter"),
            doc: "The objective against one parameter, a point per complete trial.", example: "study.slicePlot(\"lr\")"
        ) { object, _, parameter -> PlotObject in
            let results = try object.results()
            try checkParameter(parameter, in: results, parameter: "parameter")
            return PlotObject(results.slicePlot(parameter))
        }
        type.method(
            "contourPlot", Arg<String>(nil, "x"), Arg<String>(nil, "y"),
            Arg("resolution", default: 40, bound: .within(2...200)),
            doc: "The objective over two numeric parameters: a Gaussian-process surrogate's mean on a grid, iso-lines, "
                + "and the trials on top (the best marked).",
            example: "study.contourPlot(\"lr\", \"width\")"
        ) { object, _, x, y, resolution -> DisplayObject in
            let results = try object.results()
            try checkParameter(x, in: results, parameter: "x")
            try checkParameter(y, in: results, parameter: "y")
            return DisplayObject(
                "ContourPlot", try search(parameter: "y") { try results.contourPlot(x, y, resolution: resolution) })
        }
    }

    private static func checkParameter(_ name: String, in results: StudyResults, parameter: String) throws {
        let names = results.parameterNames
        guard names.contains(name) else {
            let notes =
                names.isEmpty ? ["the study has no trials yet"] : ["its parameters: " + names.joined(separator: ", ")]
            throw BuiltinError(.value, "the study has no parameter '\(name)'", parameter: parameter, notes: notes)
        }
    }

    // MARK: optimize

    /// Errors that end `optimize` (the engine records the running trial as failed and rethrows them).
    private struct StudyStopped: StopsStudy, CustomStringConvertible {
        let error: ScriptError
        /// The note of the trial it ends.
        var description: String { "\(error.kind): \(error.message) (at \(error.span))" }
    }
    private struct StudyInterrupted: StopsStudy, CustomStringConvertible {
        var description: String { "interrupted" }
    }
    /// An objective's failure, as the trial's note.
    private struct ObjectiveFailed: Error, CustomStringConvertible {
        let description: String
    }

    private static func registerOptimize(on type: TypeBuilder<StudyObject>, watch: ObjectiveWatch) {
        type.method(
            "optimize", Arg<Int?>("trials", default: nil, bound: .atLeast(0)),
            Arg<Double?>("timeout", default: nil, bound: .greaterThan(0)),
            Arg<Int?>("maxTotalTrials", default: nil, bound: .atLeast(1)), Arg("progress", default: true),
            Arg<FunctionValue>(nil, "objective", type: "(Trial) -> Double"),
            doc: "Runs `trials` trials of `objective` (or until `timeout` seconds; a grid runs to its end), each "
                + "stored as it finishes. The objective receives a `Trial`, asks it for parameters and returns the "
                + "value. An objective that fails or returns NaN fails its trial (a warning says why) and the study "
                + "goes on; a range that cannot be sampled stops the study at that argument. `maxTotalTrials` caps "
                + "the study over every worker. In a notebook a live trial table shows progress. An interrupt stops "
                + "the study; every finished trial is kept.",
            example:
                "study.optimize(trials: 30) { trial in\n"
                + "    let lr = trial.float(\"lr\", 1e-4, 1e-1, log: true)\n"
                + "    let width = trial.int(\"width\", 16, 128, step: 16)\n"
                + "    return validationLoss(lr, width)\n}"
        ) { object, context, trials, timeout, maxTotalTrials, shows, objective in
            let study = object.study
            var isGrid = false
            if case .grid = study.settings.sampler { isGrid = true }
            guard trials != nil || timeout != nil || isGrid else {
                throw BuiltinError(
                    .value, "optimize needs trials: or timeout: (only a .grid sampler knows when it is done)",
                    parameter: "trials")
            }
            let live = shows ? LiveOutput(context: context, prefix: "rigor-study") : nil
            var progress = StudyProgress(
                name: study.name, direction: study.direction, sampler: object.samplerName, planned: trials,
                timeout: timeout, start: Date())
            progress.trials = try search { try study.trials }
            let call = context.prepare(objective.value)
            var warnedAboutTest = false
            var began = false
            var running: TrialObject?
            func show(_ line: String? = nil) {
                guard let live else { return }
                if !began {
                    began = true
                    live.begin(progress.mimeBundle)
                } else {
                    live.update(progress.mimeBundle, line: line)
                }
            }
            show()
            let finish = { (stopped: String?) in
                progress.trials = (try? study.trials) ?? progress.trials
                progress.stopped = stopped
                live?.end(progress.mimeBundle, line: stopped.map { "study '\(study.name)' stopped: \($0)" })
            }
            do {
                try study.optimize(
                    trials: trials ?? Int.max, maxTotalTrials: maxTotalTrials, timeout: timeout,
                    shouldStop: { context.interrupt.isRequested },
                    onTrialFinished: { record in
                        let handle = running?.trial.number == record.number ? running : nil
                        progress.trials = (try? study.trials) ?? progress.trials
                        progress.ran += 1
                        let line = progress.line(for: record)
                        if record.state == .failed, live == nil || context.host is RichOutputHost {
                            context.write(
                                "warning: trial \(record.number) failed: \(record.message ?? "no reason given")\n",
                                to: .standardError)
                        }
                        if watch.testReads > 0, !warnedAboutTest {
                            warnedAboutTest = true
                            RigorChecks.of(context).warn(
                                RigorWarning(
                                    check: .testSplit,
                                    summary: "the objective read the test split (data.test) in trial "
                                        + "\(record.number), so the test data steers the search",
                                    details: ["the best trial's test score is no longer an unbiased estimate"],
                                    advice: "choose hyperparameters on the validation split and keep the test split "
                                        + "for the final estimate", cause: "study \(study.name)"), in: context,
                                recording: handle?.recording)
                        }
                        // The run log (docs/rigor.md): the trial's outcome, value and final parameters.
                        handle?.finishRecording(record)
                        show(line)
                    },
                    objective: { trial in
                        let handle = TrialObject(trial, study: object)
                        running = handle
                        // Recorded as it runs: begun now, each reported value, the outcome when it ends; the fits
                        // of its objective name it as their parent.
                        let recording = RunRecording(context) { trialRunStart(object, trial.record) }
                        handle.recording = recording
                        watch.running += 1
                        watch.testReads = 0
                        RigorChecks.of(context).objectivesRunning += 1
                        defer {
                            handle.finished = true
                            watch.running -= 1
                            RigorChecks.of(context).objectivesRunning -= 1
                        }
                        progress.runningTrial = trial.number
                        show()
                        let value: Value
                        do {
                            value = try recording.inside { try call(handle.scriptValue) }
                        } catch let error as ScriptError {
                            if error.kind == .trialPruned, handle.prunedReason != nil {
                                throw TrialPruned(step: trial.record.lastIntermediate?.step)
                            }
                            if context.interrupt.isRequested || error.kind == .interrupted {
                                throw StudyInterrupted()
                            }
                            if handle.badSpace { throw StudyStopped(error: error) }
                            throw ObjectiveFailed(description: "\(error.kind): \(error.message) (at \(error.span))")
                        } catch {
                            if context.interrupt.isRequested { throw StudyInterrupted() }
                            throw ObjectiveFailed(description: String(describing: error))
                        }
                        if handle.prunedReason != nil { throw TrialPruned(step: trial.record.lastIntermediate?.step) }
                        guard let number = value.doubleValue else {
                            throw ObjectiveFailed(
                                description: "the objective returned '\(value.typeName)', not a number")
                        }
                        return number
                    })
            } catch let stopped as StudyStopped {
                if let running { running.finishRecording(running.trial.record) }
                finish("trial \(running?.trial.number ?? 0) asked for a range that cannot be sampled")
                throw stopped.error
            } catch is StudyInterrupted {
                if let running { running.finishRecording(running.trial.record, interrupted: true) }
                finish("interrupted")
                throw interruption(object, during: running)
            } catch let error as SearchError {
                if let running { running.finishRecording(running.trial.record) }
                finish(error.message)
                throw searchError(error)
            }
            if context.interrupt.isRequested {
                finish("interrupted")
                throw interruption(object, during: nil)
            }
            finish(nil)
        }
    }

    /// What the run log is told when a trial begins: the study, the trial's number and direction as parameters (the
    /// sampled ones join them as they are drawn), the study's seed, and the study's settings as its "model".
    static func trialRunStart(_ object: StudyObject, _ record: TrialRecord) -> RunStart {
        let study = object.study
        return RunStart(
            kind: .trial, title: "trial \(record.number) of \(study.name)",
            parameters: trialRunParameters(object, record), seed: Int(truncatingIfNeeded: study.settings.seed),
            model: "Study '\(study.name)': \(study.direction.rawValue), \(object.samplerName) sampler, pruner "
                + "\(study.settings.pruner), storage \(object.storage.description)",
            versions: runVersions)
    }

    /// A trial's parameters in the run log: `study`, `trial`, `direction`, then each sampled one in the order drawn.
    static func trialRunParameters(_ object: StudyObject, _ record: TrialRecord) -> [(String, String)] {
        [("study", object.study.name), ("trial", "\(record.number)"), ("direction", object.study.direction.rawValue)]
            + record.parameters.map { ($0.name, "\($0.value)") }
    }

    private static func interruption(_ object: StudyObject, during trial: TrialObject?) -> BuiltinError {
        let finished = ((try? object.study.trials) ?? []).filter { $0.state.isFinished }.count
        let place = trial.map { "during trial \($0.trial.number) (recorded as failed)" } ?? "between trials"
        return BuiltinError(
            .interrupted,
            "optimize interrupted \(place); the study keeps its \(finished) finished trial"
                + (finished == 1 ? "" : "s") + " in \(object.storage.description), and optimize continues it")
    }

    // MARK: the trial

    private static func registerTrial(in registry: BuiltinRegistry) {
        let type = registry.type(
            TrialObject.self,
            doc: "One evaluation of a study's objective: it draws parameters when they are asked for (so a parameter "
                + "may depend on another), reports intermediate values and asks the pruner.")
        type.property("number", doc: "The trial's number in its study (0, 1, 2, …).") { $0.trial.number }
        type.property("params", type: "[String: Any]", doc: "The parameters drawn so far.") { object in
            parameterDictionary(object.trial.record.parameters.map { ($0.name, $0.value) })
        }
        type.method(
            "float", Arg<String>(nil, "name"), Arg<Double>(nil, "low"), Arg<Double>(nil, "high"),
            Arg("log", default: false),
            doc: "A float in `low...high` (evenly in log space when `log`); asked again in the same trial, the same "
                + "value.",
            example: "let lr = trial.float(\"lr\", 1e-4, 1e-1, log: true)"
        ) { object, _, name, low, high, log -> Double in
            try space(object) {
                try checkBounds(low, high, name: name, log: log, strict: true)
            }
            return try suggest(object, name, log ? .logUniform(low, high) : .uniform(low, high)).doubleValue ?? .nan
        }
        type.method(
            "int", Arg<String>(nil, "name"), Arg<Int>(nil, "low"), Arg<Int>(nil, "high"), Arg("step", default: 1),
            Arg("log", default: false),
            doc: "An integer `low`, `low + step`, … ≤ `high` (log: evenly in log space, step 1).",
            example: "let width = trial.int(\"width\", 16, 128, step: 16)"
        ) { object, _, name, low, high, step, log -> Int in
            try space(object) {
                guard step >= 1 else {
                    throw BuiltinError(.value, "'step' must be at least 1, not \(step)", parameter: "step")
                }
                try checkBounds(Double(low), Double(high), name: name, log: log, strict: false)
                if log, step != 1 {
                    throw BuiltinError(.value, "a logarithmic integer range takes no step", parameter: "step")
                }
            }
            return try suggest(object, name, .int(low, high, step: step, log: log)).intValue ?? low
        }
        type.method(
            "choice", Arg<String>(nil, "name"), Arg<[Value]>(nil, "choices", type: "[Any]"),
            doc: "One of `choices` (numbers, strings or flags, each once).",
            example: "let activation = trial.choice(\"activation\", [\"relu\", \"tanh\"])"
        ) { object, _, name, choices -> Value in
            var values: [ParameterValue] = []
            try space(object) {
                guard !choices.isEmpty else {
                    throw BuiltinError(
                        .value, "a choice of nothing: '\(name)' needs at least one value", parameter: "choices")
                }
                for item in choices {
                    guard let value = ParameterValue(item) else {
                        throw BuiltinError(
                            .type, "choices are numbers, strings or flags, not '\(item.typeName)'", parameter: "choices"
                        )
                    }
                    guard !values.contains(value) else {
                        throw BuiltinError(
                            .value, "'\(name)' lists \(item.debugDescription) twice", parameter: "choices")
                    }
                    values.append(value)
                }
            }
            return try suggest(object, name, .choice(values)).scriptValue
        }
        type.method(
            "suggest",
            Arg<[(String, ParameterSpace)]>(nil, "space", type: "[String: Space]") { value, context in
                guard let entries = value.dictionaryEntries else { return nil }
                return try entries.map { key, item in
                    guard case .string(let name) = key else {
                        throw BuiltinError(.type, "parameter names are strings, not '\(key.typeName)'")
                    }
                    guard let space = try parameterSpaces.decode(item, context: context) else {
                        throw BuiltinError(
                            .type,
                            "'\(name)' needs a space (.uniform, .logUniform, .int or .choice), not "
                                + "'\(item.typeName)'")
                    }
                    return (name, space)
                }
            },
            doc: "Every parameter of a space dictionary at once, drawn in name order: a `[name: value]` dictionary.",
            example: "let p = trial.suggest([\"lr\": .logUniform(1e-4, 1e-1), \"width\": .int(16, 128, step: 16)])"
        ) { object, _, space -> Value in
            var values: [(String, ParameterValue)] = []
            for (name, written) in space.sorted(by: { $0.0 < $1.0 }) {
                // A space only `interact` can use (a `value:`, a slider's step, `.fixed`) is a bad space as an
                // empty range is: the trial fails with the reason and the study stops at the argument.
                var distribution = Distribution.uniform(0, 1)
                try self.space(object) {
                    do {
                        distribution = try written.distribution()
                        try distribution.validate(name: name)
                    } catch var error as BuiltinError {
                        error.message = "'\(name)': " + error.message
                        error.parameter = "space"
                        throw error
                    } catch let error as SearchError {
                        throw BuiltinError(.value, error.message, parameter: "space")
                    }
                }
                values.append((name, try suggest(object, name, distribution, parameter: "space")))
            }
            let order = space.map(\.0)
            return parameterDictionary(order.compactMap { name in values.first { $0.0 == name } })
        }
        type.method(
            "report", Arg<Double>(nil, "value"), Arg<Int>("step", bound: .atLeast(0)),
            doc: "Records the objective's value at `step` (an epoch) for the pruner and the charts; stored at once.",
            example: "trial.report(validationLoss, step: epoch)"
        ) { object, _, value, step in
            try object.checkRunning("trial.report")
            try object.report(step: step, value: value)
        }
        type.method(
            "shouldPrune", doc: "Whether the study's pruner would stop this trial now (after the last `report`).",
            example: "if trial.shouldPrune() { trial.prune() }"
        ) { object, _ -> Bool in
            try object.checkRunning("trial.shouldPrune")
            return object.trial.shouldPrune()
        }
        type.method(
            "prune",
            doc: "Ends the objective here; the study records the trial as pruned with its last reported value "
                + "(Optuna's `raise TrialPruned()`).",
            example: "if trial.shouldPrune() { trial.prune() }"
        ) { object, _ in
            try object.checkRunning("trial.prune")
            let step = object.trial.record.lastIntermediate?.step
            object.prunedReason = step.map { "pruned at step \($0)" } ?? "pruned"
            throw BuiltinError(
                .trialPruned, "trial \(object.trial.number) pruned" + (step.map { " at step \($0)" } ?? ""))
        }

        registry.type(
            named: "PruningCallback", of: CallbackObject.self,
            doc: "Reports a metric to a trial after every epoch of `fit` and stops training when the study's pruner "
                + "gives up on the trial (the trial is then recorded as pruned).", conformsTo: ["Callback"]
        ).initializer(
            Arg<TrialObject>(nil, "trial"), Arg("monitor", default: "val_loss", bound: .nonEmpty),
            doc: "Feeds `monitor` (a metric fit logs: `val_loss`, `val_accuracy`, `loss` …) to `trial.report` after "
                + "every epoch, and stops `fit` when the pruner says so.",
            example: "model.fit(data.train, validation: data.validation, callbacks: [PruningCallback(trial)])"
        ) { _, trial, monitor in
            CallbackObject(
                TrialPruningCallback(trial: trial, monitor: monitor), spec: "PruningCallback(monitor: \"\(monitor)\")",
                typeName: "PruningCallback"
            ).scriptValue
        }

        let record = registry.type(
            TrialRecordObject.self,
            doc: "A trial as stored: number, state, value, parameters, intermediate values, duration.")
        record.property("number", doc: "The trial's number.") { $0.record.number }
        record.property("state", doc: "\"complete\", \"pruned\", \"failed\", \"running\" or \"waiting\".") {
            $0.record.state.rawValue
        }
        record.property("value", doc: "The objective's value (the last reported one when pruned), or nil.") {
            $0.record.value
        }
        record.property("params", type: "[String: Any]", doc: "The parameters, in the order they were drawn.") {
            $0.params
        }
        record.property("intermediateValues", doc: "The reported values, in step order.") {
            $0.record.intermediateValues.map(\.value)
        }
        record.property("steps", doc: "The steps of `intermediateValues`.") {
            $0.record.intermediateValues.map(\.step)
        }
        record.property("duration", doc: "Seconds from start to finish, or nil.") { $0.record.duration }
        record.property("message", doc: "Why the trial failed, or nil.") { $0.record.message }
        record.subscriptGetter { object, indices, _ in
            guard indices.count == 1, case .string(let name) = indices[0] else {
                throw BuiltinError(.type, "a trial record is indexed by a parameter name: best[\"lr\"]")
            }
            return object.record[name]?.scriptValue ?? .nil
        }
    }

    /// Runs checks of a trial's range arguments; an error marks the trial so that the study stops.
    private static func space(_ trial: TrialObject, _ body: () throws -> Void) throws {
        try trial.checkRunning("a suggestion")
        do {
            try body()
        } catch {
            trial.badSpace = true
            throw error
        }
    }

    private static func checkBounds(_ low: Double, _ high: Double, name: String, log: Bool, strict: Bool) throws {
        guard low.isFinite else {
            throw BuiltinError(.value, "'low' must be a finite number, not \(low)", parameter: "low")
        }
        guard high.isFinite else {
            throw BuiltinError(.value, "'high' must be a finite number, not \(high)", parameter: "high")
        }
        if log, low <= 0 || (!strict && low < 1) {
            throw BuiltinError(
                .value, "'\(name)': a logarithmic range needs positive bounds, and low is \(format(low, digits: 12))",
                parameter: "low")
        }
        guard strict ? low < high : low <= high else {
            let bounds = strict ? "\(low)...\(high)" : "\(Int(low))...\(Int(high))"
            throw BuiltinError(
                .value, "'\(name)': the range \(bounds) is empty; need low \(strict ? "<" : "≤") high",
                parameter: "high")
        }
    }

    /// Draws `name` from `distribution`; a range that clashes with the one this name had earlier in the trial, or a
    /// parameter a grid does not list, stops the study.
    private static func suggest(
        _ trial: TrialObject, _ name: String, _ distribution: Distribution, parameter: String = "name"
    ) throws -> ParameterValue {
        do {
            return try trial.trial.suggest(name, distribution)
        } catch let error as SearchError {
            if error.kind == .inconsistentParameter || error.kind == .invalidArgument { trial.badSpace = true }
            throw searchError(error, parameter: parameter)
        }
    }

    // MARK: cross-validation

    private static func registerCrossValidation(in registry: BuiltinRegistry) {
        let folds = Arg<Int>("folds", default: 5, bound: .atLeast(2))
        func pairs(
            _ data: DatasetObject, folds: Int, stratified: Bool, seed: Seed
        ) throws -> [(train: DatasetObject, validation: DatasetObject)] {
            guard folds <= data.data.count else {
                throw BuiltinError(
                    .value, "\(folds) folds need at least \(folds) examples; \(data.name) has \(data.data.count)",
                    parameter: "folds")
            }
            if stratified, data.classCount == nil {
                throw BuiltinError(
                    .value, "stratified folds need class labels; \(data.name) has regression targets",
                    parameter: "data")
            }
            let splits = try search(parameter: "data") {
                try engine(parameter: "data") {
                    try stratified
                        ? CrossValidation.stratifiedKFold(data.data, folds: folds, seed: seed.generatorSeed)
                        : CrossValidation.kFold(data.data, folds: folds, seed: seed.generatorSeed)
                }
            }
            return splits.map { (data.with($0.train), data.with($0.validation)) }
        }
        registry.function(
            "kFold", Arg<DatasetObject>(nil, "data"), folds, Arg<Seed>.trackedSeed(),
            doc: "`folds` [train, validation] pairs of a shuffled k-fold split (seeded): every example is in exactly "
                + "one validation part.",
            example: "for (train, validation) in kFold(data.train, folds: 5, seed: 0) { … }"
        ) { context, data, folds, seed -> [[DatasetObject]] in
            RigorChecks.checkSeed(seed, of: "kFold", in: context)
            return try pairs(data, folds: folds, stratified: false, seed: seed).map { [$0.train, $0.validation] }
        }
        registry.function(
            "stratifiedKFold", Arg<DatasetObject>(nil, "data"), folds, Arg<Seed>.trackedSeed(),
            doc: "Like `kFold`, with each class's share the same in every fold (scikit-learn's StratifiedKFold).",
            example: "for (train, validation) in stratifiedKFold(data.train, folds: 5) { … }"
        ) { context, data, folds, seed -> [[DatasetObject]] in
            RigorChecks.checkSeed(seed, of: "stratifiedKFold", in: context)
            return try pairs(data, folds: folds, stratified: true, seed: seed).map { [$0.train, $0.validation] }
        }
        registry.function(
            "crossValidate", Arg<DatasetObject>(nil, "data"), folds, Arg("stratified", default: true),
            Arg<Seed>.trackedSeed(), Arg<FunctionValue>(nil, "score", type: "(Dataset, Dataset) -> Double"),
            doc: "Calls `score(train, validation)` on each fold (stratified when the labels are classes, unless "
                + "`stratified: false`) and returns the scores with their mean and standard deviation; `.mean` is an "
                + "objective's value.",
            example:
                "let cv = crossValidate(data.train, folds: 5) { train, validation in\n"
                + "    let model = makeModel()\n    model.fit(train, epochs: 10, progress: false)\n"
                + "    return model.evaluate(validation)\n}\ncv.mean"
        ) { context, data, folds, stratified, seed, score -> CrossValidationObject in
            RigorChecks.checkSeed(seed, of: "crossValidate", in: context)
            let stratify = stratified && data.classCount != nil
            let call = context.prepare(score.value)
            var scores: [Double] = []
            for (train, validation) in try pairs(data, folds: folds, stratified: stratify, seed: seed) {
                try context.checkInterrupt()
                let value = try call(train.scriptValue, validation.scriptValue)
                guard let number = value.doubleValue else {
                    throw BuiltinError(
                        .type, "the score function returns a number, not '\(value.typeName)'", parameter: "score")
                }
                scores.append(number)
            }
            return CrossValidationObject(scores: scores, stratified: stratify)
        }
        let type = registry.type(
            CrossValidationObject.self, doc: "The scores of a k-fold cross-validation, one per fold.")
        type.property("scores", doc: "Each fold's score.") { $0.scores }
        type.property("mean", doc: "The mean score.") { $0.mean }
        type.property("standardDeviation", doc: "The sample standard deviation of the scores.") {
            $0.standardDeviation
        }
    }
}
