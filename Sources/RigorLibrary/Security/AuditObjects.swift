// AuditObjects: `Audit`, the result of `audit(model, data)`: every section's measurements and the ranked findings,
// shown (and saved) as one self-contained HTML report.
import Foundation
import RichDisplay
import RigorScript
import RunLog
import Security

/// One audit of a model on a data split: data facts, performance, calibration, robustness, reproducibility, findings.
final class AuditObject: NativeObject, ArgumentType, ScriptValueConvertible {
    static var scriptTypeName: String { "Audit" }

    struct SplitFacts {
        let name: String
        let rows: Int
        let counts: ClassCountsObject
    }

    let modelTitle: String
    let splits: [SplitFacts]
    let classNames: [String]
    /// The scan of the text columns given with `texts:` (nil: none given).
    let pii: PIIReport?
    /// Class and feature names scanned as well (they are text even when the features are numbers).
    let namesScan: PIIReport
    let overlap: DataOverlap
    let report: ReportObject
    let confusion: ConfusionMatrixObject
    let calibration: CalibrationObject
    let robustness: RobustnessObject
    let cleanAccuracy: Double
    let reproducibility: [(String, String)]
    let findings: [AuditFinding]

    init(
        modelTitle: String, splits: [SplitFacts], classNames: [String], pii: PIIReport?, namesScan: PIIReport,
        overlap: DataOverlap, report: ReportObject, confusion: ConfusionMatrixObject, calibration: CalibrationObject,
        robustness: RobustnessObject, cleanAccuracy: Double, reproducibility: [(String, String)],
        findings: [AuditFinding]
    ) {
        self.modelTitle = modelTitle
        self.splits = splits
        self.classNames = classNames
        self.pii = pii
        self.namesScan = namesScan
        self.overlap = overlap
        self.report = report
        self.confusion = confusion
        self.calibration = calibration
        self.robustness = robustness
        self.cleanAccuracy = cleanAccuracy
        self.reproducibility = reproducibility
        self.findings = findings
    }

    var typeName: String { Self.scriptTypeName }

    func count(_ severity: AuditSeverity) -> Int { findings.filter { $0.severity == severity }.count }

    var headline: String {
        "\(findings.count) finding\(findings.count == 1 ? "" : "s"): \(count(.high)) high, \(count(.medium)) medium, "
            + "\(count(.low)) low"
    }

    var findingsTable: Table {
        Table(
            columns: ["severity", "section", "finding", "what to do"],
            rows: findings.map { [.text($0.severity.name), .text($0.section), .text($0.title), .text($0.action)] },
            title: "Findings, most severe first")
    }

    /// Examples per class in each split, with each class's share.
    var balanceTable: Table {
        var rows: [[TableCell]] = classNames.indices.map { index in
            [.text(classNames[index])]
                + splits.flatMap { split -> [TableCell] in
                    let counts = split.counts
                    return [
                        .integer(counts.counts.indices.contains(index) ? counts.counts[index] : 0),
                        .number(counts.fractions.indices.contains(index) ? counts.fractions[index] : 0),
                    ]
                }
        }
        rows.append(
            [.text("largest / smallest")]
                + splits.flatMap { split -> [TableCell] in
                    let ratio = split.counts.imbalance
                    return [.text(ratio.isFinite ? String(format: "%.2f×", ratio) : "∞"), .empty]
                })
        var table = Table(
            columns: ["class"] + splits.flatMap { ["\($0.name) (\($0.rows))", "\($0.name) share"] }, rows: rows,
            title: "Class balance per split")
        for split in splits { table.decimalPlaces["\(split.name) share"] = 3 }
        return table
    }

    var overlapSummary: String {
        let exact = overlap.exactDuplicates.count
        let near = overlap.nearDuplicates.count
        let conflicting = (overlap.exactDuplicates + overlap.nearDuplicates).filter(\.labelsDiffer).count
        return "\(exact) of \(overlap.testRows) test rows are exact duplicates of training rows; \(near) more are "
            + "within \(AuditRules.number(overlap.nearDistance)) (root-mean-square difference per feature) of one"
            + (conflicting > 0 ? "; \(conflicting) of these pairs have different labels" : "") + "."
    }

    var overlapTable: Table {
        let matches = overlap.exactDuplicates + overlap.nearDuplicates
        return Table(
            columns: ["test row", "training row", "distance", "labels differ"],
            rows: matches.prefix(20).map {
                [.integer($0.testRow), .integer($0.trainRow), .number($0.distance), .bool($0.labelsDiffer)]
            },
            title: matches.count > 20 ? "The first 20 of \(matches.count) overlapping rows" : "Overlapping rows")
    }

    var reproducibilityTable: Table {
        Table(
            columns: ["fact", "value"], rows: reproducibility.map { [.text($0.0), .text($0.1)] },
            title: "Reproducibility")
    }

    var html: String {
        let style = "font-family: -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; max-width: 1000px;"
        let colors: [AuditSeverity: String] = [.high: "#b91c1c", .medium: "#b45309", .low: "#1d4ed8"]
        var out = "<div class=\"rigor-audit\" style=\"\(style)\">"
        out += "<h2 style=\"margin-bottom:0.2em\">Model audit</h2>"
        out +=
            "<p style=\"margin-top:0\"><b>\(Markup.escape(modelTitle))</b><br>\(Markup.escape(headline)). "
            + "Clean test accuracy \(AuditRules.percent(cleanAccuracy)).</p>"
        out += "<h3>Findings</h3>"
        if findings.isEmpty {
            out += "<p>Nothing crossed a threshold.</p>"
        } else {
            out += "<table style=\"border-collapse: collapse; margin: 0.5em 0;\"><thead><tr>"
            for header in ["severity", "section", "finding", "what to do"] {
                out += "<th style=\"text-align:left; padding:4px 10px; border-bottom:2px solid #444;\">\(header)</th>"
            }
            out += "</tr></thead><tbody>"
            for finding in findings {
                let color = colors[finding.severity] ?? "#444"
                out +=
                    "<tr><td style=\"padding:4px 10px; border-bottom:1px solid #ddd;\"><span style=\"background:"
                    + "\(color); color:white; border-radius:3px; padding:1px 6px; font-size:90%\">"
                    + "\(finding.severity.name)</span></td>"
                for cell in [finding.section, finding.title, finding.action] {
                    out += "<td style=\"padding:4px 10px; border-bottom:1px solid #ddd;\">\(Markup.escape(cell))</td>"
                }
                out += "</tr>"
            }
            out += "</tbody></table>"
        }
        out += "<h3>1. Data</h3>"
        out += "<p>" + splits.map { "\(Markup.escape($0.name)): \($0.rows) rows" }.joined(separator: " · ") + "</p>"
        out += balanceTable.html
        out += "<h4>Personal data</h4>"
        if let pii {
            out += pii.html(heading: nil)
        } else {
            out +=
                "<p>The features are numbers: there are no text columns to scan (give <code>texts:</code> to scan "
                + "the text that comes with the data).</p>"
        }
        if !namesScan.columns.isEmpty {
            out += "<p>Class and feature names: \(Markup.escape(namesScan.summary))</p>"
        }
        out += "<h4>Train/test overlap</h4><p>\(Markup.escape(overlapSummary))</p>"
        if !(overlap.exactDuplicates.isEmpty && overlap.nearDuplicates.isEmpty) { out += overlapTable.html }
        out += "<h3>2. Performance per class (test split)</h3>"
        out += report.table.html
        out += "<div style=\"max-width:520px\">\(confusion.mimeBundle.data[MIMEType.svg] ?? "")</div>"
        out += "<h3>3. Calibration (test split)</h3>"
        out +=
            "<p>Expected calibration error \(String(format: "%.3f", calibration.calibration.expectedCalibrationError))"
            + " over \(calibration.calibration.bins.count) bins of top-label confidence; Brier score "
            + "\(String(format: "%.3f", calibration.brierScore)).</p>"
        out += "<div style=\"max-width:560px\">\(calibration.mimeBundle.data[MIMEType.svg] ?? "")</div>"
        out += calibration.table.html
        out += "<h3>4. Robustness (test split)</h3>"
        out +=
            "<p>Accuracy on adversarial inputs within ε (\(robustness.norm.displayName)) of each test row: FGSM, "
            + "and PGD with \(robustness.steps) steps of 2.5·ε/\(robustness.steps).</p>"
        out += robustness.mimeBundle.data[MIMEType.html] ?? ""
        out += "<h3>5. Reproducibility</h3>"
        out += reproducibilityTable.html
        out += "<h3>Thresholds</h3><ul style=\"font-size:90%; color:#333\">"
        for rule in Self.rules { out += "<li>\(Markup.escape(rule))</li>" }
        out += "</ul></div>"
        return out
    }

    static let rules = [
        "Personal data in a text column: high.",
        "Test rows duplicated in training: high at ≥ 1 % of the test rows, else medium; near-duplicates (within the "
            + "stated RMS distance): medium at ≥ 1 %, else low; duplicates with different labels: medium.",
        "Largest / smallest class in a split: medium above 3×, high above 10×.",
        "A class whose recall is more than 0.15 below the accuracy: medium.",
        "Expected calibration error: medium above 0.05, high above 0.15.",
        "PGD accuracy at some ε > 0 below half the clean accuracy: high (the smallest such ε); else below 80 % of it: "
            + "medium.",
        "Fewer than 100 test rows: low. No seed recorded for the model's fit: low.",
    ]

    var description: String {
        var lines = ["Audit of \(modelTitle): \(headline)"]
        for finding in findings {
            lines.append("  \(finding.severity.name): \(finding.title) — \(finding.action)")
        }
        return lines.joined(separator: "\n")
    }
}
