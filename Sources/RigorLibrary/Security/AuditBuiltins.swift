// Audit: `audit(model, data)`: data facts, per-class performance, calibration, robustness and reproducibility of a
// classifier on its data split, with findings ranked by severity; recorded in the run log as an `audit`.
import Foundation
import NeuralNetworks
import RichDisplay
import RigorScript
import RunLog
import Security

extension RigorLibrary {
    static func registerAudit(in registry: BuiltinRegistry) {
        registry.function(
            "audit", Arg<ModelObject>(nil, "model", type: "Model"),
            Arg<SplitObject>(nil, "data", type: "DataSplit") { value, context in
                if let split = SplitObject.decode(value, context: context) {
                    guard split.test != nil else {
                        throw BuiltinError(
                            .value, "audit measures on a test split, and this DataSplit has none",
                            notes: ["split with a test part: data.split(train: 0.7, test: 0.3, seed: 1)"])
                    }
                    return split
                }
                if DatasetObject.decode(value, context: context) != nil {
                    throw BuiltinError(
                        .type, "audit needs the data split into train and test, not one Dataset",
                        notes: ["split it first: data.split(train: 0.7, test: 0.3, seed: 1)"])
                }
                return nil
            },
            Arg("epsilons", default: [0.05, 0.1, 0.2]), Arg("steps", default: 10, bound: .atLeast(1)),
            Arg("bins", default: 10, bound: .within(1...1000)),
            Arg<[String: [String]]?>(
                "texts", type: "[String: [String]]?", defaultValue: .nil, text: "nil"
            ) { value, _ in
                if case .nil = value { return .some(nil) }
                guard let entries = value.dictionaryEntries else { return nil }
                var columns: [String: [String]] = [:]
                for (key, column) in entries {
                    guard case .array(let items) = column else {
                        throw BuiltinError(
                            .type, "column '\(key.description)' is of type '\(column.typeName)', not [String]")
                    }
                    try requireText(items, what: "column '\(key.description)' element", parameter: "texts")
                    columns[key.description] = items.map { if case .string(let s) = $0 { s } else { "" } }
                }
                return .some(columns)
            },
            Arg("nearDuplicateDistance", default: 0.01, bound: .atLeast(0)),
            Arg<[Double]?>("validRange", default: [0, 1]),
            doc: "Audits a classifier on its data split and returns one report (HTML; `save(report, to: "
                + "\"audit.html\")`): data facts (split sizes, class balance, a personal-data scan of the `texts` "
                + "columns and the class names, test rows duplicated in training or within "
                + "`nearDuplicateDistance` RMS per feature), per-class precision/recall/F1 and the confusion matrix, "
                + "calibration (ECE over `bins`, reliability diagram), accuracy under FGSM and PGD (`steps` steps) at "
                + "each of `epsilons` within `validRange`, reproducibility facts (seeds, versions, data fingerprints), "
                + "and findings ranked by severity with what to do. Recorded in the run log as an `audit`.",
            example: "let report = audit(model, data, epsilons: [0.05, 0.1])\nsave(report, to: \"audit.html\")"
        ) { context, model, split, epsilons, steps, bins, texts, nearDistance, range -> AuditObject in
            guard let test = split.test else { throw BuiltinError(.value, "no test split", parameter: "data") }
            guard let classCount = test.classCount else {
                throw BuiltinError(
                    .value, "audit needs class labels; \(test.name) has regression targets", parameter: "data")
            }
            if let bad = epsilons.first(where: { !($0 >= 0) || !$0.isFinite }) {
                throw BuiltinError(.value, "every ε must be a finite number ≥ 0, not \(bad)", parameter: "epsilons")
            }
            let recording = RunRecording(context) {
                RunStart(
                    kind: .audit, title: "audit of " + model.runTitle,
                    parameters: [
                        ("epsilons", epsilons.map { AuditRules.number($0) }.joined(separator: ", ")),
                        ("steps", String(steps)), ("bins", String(bins)),
                        ("nearDuplicateDistance", AuditRules.number(nearDistance)),
                    ], seed: model.fitSeed, model: model.summaryTable.plainText,
                    data: split.parts.map { (role(of: $0.0), $0.1.fingerprint) }, versions: RigorLibrary.runVersions)
            }
            do {
                let audit = try runAudit(
                    context, model, split, test: test, classCount: classCount, epsilons: epsilons, steps: steps,
                    bins: bins, texts: texts, nearDistance: nearDistance, range: range)
                var results: [(String, Double)] = [
                    ("accuracy", audit.cleanAccuracy), ("macro_f1", audit.report.report.macro.f1),
                    ("ece", audit.calibration.calibration.expectedCalibrationError),
                    ("brier", audit.calibration.brierScore),
                    ("exact_duplicates", Double(audit.overlap.exactDuplicates.count)),
                    ("near_duplicates", Double(audit.overlap.nearDuplicates.count)),
                    ("pii_findings", Double(audit.pii?.totalFindings ?? 0)),
                ]
                for (index, epsilon) in audit.robustness.epsilons.enumerated() {
                    results.append(("fgsm_accuracy@\(AuditRules.number(epsilon))", audit.robustness.fgsm[index]))
                    results.append(("pgd_accuracy@\(AuditRules.number(epsilon))", audit.robustness.pgd[index]))
                }
                for severity in AuditSeverity.allCases {
                    results.append(("findings_\(severity.name)", Double(audit.count(severity))))
                }
                recording.finish(.finished, results: results)
                return audit
            } catch let error as BuiltinError where error.kind == .interrupted {
                recording.finish(.interrupted, message: "the audit was interrupted")
                throw BuiltinError(.interrupted, "audit interrupted; nothing was reported")
            } catch {
                recording.finish(.failed, message: "\(error)")
                throw error
            }
        }
        let type = registry.type(AuditObject.self, doc: "A model audit: sections and findings ranked by severity.")
        type.property("findings", doc: "The findings, most severe first, as \"severity: finding\".") { object in
            object.findings.map { "\($0.severity.name): \($0.title)" }
        }
        type.property("severities", doc: "The severity of each finding (`high`, `medium`, `low`), most severe first.") {
            $0.findings.map(\.severity.name)
        }
        type.property("accuracy", doc: "The clean accuracy on the test split.") { $0.cleanAccuracy }
        type.property("expectedCalibrationError", doc: "The ECE on the test split.") {
            $0.calibration.calibration.expectedCalibrationError
        }
        type.property("exactDuplicates", doc: "Test rows (from 0) whose features equal a training row's.") {
            $0.overlap.exactDuplicates.map(\.testRow)
        }
        type.property("nearDuplicates", doc: "Test rows (from 0) within `nearDuplicateDistance` of a training row.") {
            $0.overlap.nearDuplicates.map(\.testRow)
        }
        type.property("piiFindings", doc: "The number of personal-data findings in the `texts` columns.") {
            $0.pii?.totalFindings ?? 0
        }
        type.property("robustness", doc: "Accuracy under FGSM and PGD at each ε.") { $0.robustness }
        type.property("report", doc: "Per-class precision, recall and F1 on the test split.") { $0.report }
    }

    /// The run log's name for a split: `training`, `validation`, `test` (as `fit` records them).
    private static func role(of part: String) -> String { part == "train" ? "training" : part }

    private static func runAudit(
        _ context: CallContext, _ model: ModelObject, _ split: SplitObject, test: DatasetObject, classCount: Int,
        epsilons: [Double], steps: Int, bins: Int, texts: [String: [String]]?, nearDistance: Double,
        range: [Double]?
    ) throws -> AuditObject {
        let classNames = (0..<classCount).map(test.className)
        var facts = AuditFacts()
        // 1. Data: sizes and balance, personal data, overlap.
        let splits = split.parts.map { name, part in
            AuditObject.SplitFacts(
                name: name, rows: part.data.count, counts: ClassCountsObject(part, classCount: classCount))
        }
        facts.classImbalance = splits.map { ($0.name, $0.counts.imbalance) }
        let anonymizer = Anonymizer()
        let pii = texts.map { texts in
            PIIReport.scan(
                columns: texts.keys.sorted().map { ($0, texts[$0]!) }, anonymizer: anonymizer
            ).report
        }
        var names: [(name: String, values: [String])] = []
        if let classNames = test.classNames { names.append(("class names", classNames)) }
        if let featureNames = test.featureNames { names.append(("feature names", featureNames)) }
        let namesScan = PIIReport.scan(columns: names, anonymizer: anonymizer).report
        facts.piiFindings = (pii?.totalFindings ?? 0) + namesScan.totalFindings
        facts.piiColumns = (pii?.columnsWithFindings ?? []) + namesScan.columnsWithFindings
        try context.checkInterrupt()
        let train = split.train
        guard train.featureShape.reduce(1, *) == test.featureShape.reduce(1, *) else {
            throw BuiltinError(
                .shape, "the train and test features differ in shape", parameter: "data")
        }
        let overlap: DataOverlap
        do {
            overlap = try DataOverlap.find(
                train: train.data.features.scalars, trainLabels: train.data.labels,
                test: test.data.features.scalars, testLabels: test.data.labels,
                featureCount: test.featureShape.reduce(1, *), nearDistance: nearDistance,
                shouldStop: { context.interrupt.isRequested })
        } catch let error as SecurityError {
            if error.kind == .cancelled { throw BuiltinError(.interrupted, "execution interrupted") }
            throw BuiltinError(.value, error.reason, parameter: "data")
        }
        facts.testRows = test.data.count
        facts.exactDuplicates = overlap.exactDuplicates.count
        facts.nearDuplicates = overlap.nearDuplicates.count
        facts.nearDistance = nearDistance
        facts.conflictingLabels = (overlap.exactDuplicates + overlap.nearDuplicates).filter(\.labelsDiffer).count
        try context.checkInterrupt()
        // 2. Performance per class.
        let (predicted, actual) = try predictions(model, test)
        let report = try engine {
            try ClassificationMetrics.report(predicted: predicted, actual: actual, classes: classCount)
        }
        let confusion = try engine {
            try ClassificationMetrics.confusionMatrix(predicted: predicted, actual: actual, classes: classCount)
        }
        facts.cleanAccuracy = report.accuracy
        facts.recallPerClass = report.perClass.enumerated().filter { $0.element.support > 0 }.map {
            (classNames[$0.offset], $0.element.recall)
        }
        // 3. Calibration.
        let scores = try probabilities(model, test)
        let calibration = try engine {
            try ProbabilisticMetrics.calibration(probabilities: scores, labels: actual, bins: bins)
        }
        let brier = try engine { try ProbabilisticMetrics.brierScore(probabilities: scores, labels: actual) }
        facts.expectedCalibrationError = calibration.expectedCalibrationError
        try context.checkInterrupt()
        // 4. Robustness.
        let robustness = try robustnessCurve(
            model, test, epsilons: epsilons, steps: steps, norm: .lInfinity, range: range, batchSize: 128,
            context: context)
        facts.robustness = robustness.epsilons.indices.map {
            (robustness.epsilons[$0], robustness.fgsm[$0], robustness.pgd[$0])
        }
        // 5. Reproducibility.
        facts.fitSeed = model.fitSeed
        var reproducibility: [(String, String)] = [
            ("model", model.runTitle), ("model seed (initial weights)", String(model.seed)),
            (
                "fit seed",
                model.fitSeed.map(String.init) ?? "not recorded (the model was not trained by fit in this session)"
            ),
            ("epochs trained", model.lastHistory.map { String($0.epochs.count) } ?? "unknown"),
        ]
        for (name, part) in split.parts {
            reproducibility.append(
                ("data fingerprint: \(name)", "SHA-256 \(part.fingerprint.hex) (\(part.data.count) rows)"))
        }
        reproducibility += RigorLibrary.runVersions.map { ("version: \($0.0)", $0.1) }
        reproducibility.append(
            (
                "audit settings",
                "epsilons \(epsilons.map { AuditRules.number($0) }.joined(separator: ", ")), PGD steps \(steps), "
                    + "calibration bins \(bins), near-duplicate distance \(AuditRules.number(nearDistance)), "
                    + "valid range \(range.map { "\($0)" } ?? "none")"
            ))
        return AuditObject(
            modelTitle: model.runTitle, splits: splits, classNames: classNames, pii: pii, namesScan: namesScan,
            overlap: overlap, report: ReportObject(report, classNames: classNames),
            confusion: ConfusionMatrixObject(confusion, classNames: classNames),
            calibration: CalibrationObject(calibration, brierScore: brier, positiveName: nil),
            robustness: robustness, cleanAccuracy: report.accuracy, reproducibility: reproducibility,
            findings: AuditRules.findings(facts))
    }
}
