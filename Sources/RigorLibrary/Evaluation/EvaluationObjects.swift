// EvaluationObjects: reports, confusion matrices, ROC curves and calibrations as script values.
import Foundation
import NeuralNetworks
import RigorScript
import TensorCore

/// Per-class precision, recall and F1 with averages.
final class ReportObject: NativeObject {
    let report: ClassificationReport
    /// The row name of each class (its class name, or its id).
    let classNames: [String]
    init(_ report: ClassificationReport, classNames: [String]) {
        self.report = report
        self.classNames = classNames
    }
    var typeName: String { "ClassificationReport" }
    var description: String {
        func row(_ name: String, _ s: ClassScores) -> String {
            name.leftPadded(12) + "  " + [s.precision, s.recall, s.f1].map { String(format: "%9.3f", $0) }.joined()
                + String(s.support).leftPadded(9)
        }
        var lines = ["       class  precision   recall       f1  support"]
        for (index, scores) in report.perClass.enumerated() { lines.append(row(classNames[index], scores)) }
        lines.append(
            "    accuracy" + String(format: "%29.3f", report.accuracy) + String(report.macro.support).leftPadded(9))
        lines.append(row("macro avg", report.macro))
        lines.append(row("weighted avg", report.weighted))
        return lines.joined(separator: "\n")
    }
}

/// Counts of (actual, predicted) pairs.
final class ConfusionMatrixObject: NativeObject {
    let counts: [[Int]]
    /// The name of each class (its class name, or its id).
    let classNames: [String]
    init(_ counts: [[Int]], classNames: [String]) {
        self.counts = counts
        self.classNames = classNames
    }
    var typeName: String { "ConfusionMatrix" }
    var description: String {
        let names = classNames
        let rowWidth = max(5, names.map(\.count).max() ?? 1)
        let width = max(
            4, (counts.flatMap { $0 }.max().map { String($0).count } ?? 1) + 1, (names.map(\.count).max() ?? 1) + 1)
        var lines = ["actual \\ predicted"]
        lines.append(String(repeating: " ", count: rowWidth + 1) + names.map { $0.leftPadded(width) }.joined())
        for (index, row) in counts.enumerated() {
            lines.append(names[index].leftPadded(rowWidth) + " " + row.map { String($0).leftPadded(width) }.joined())
        }
        return lines.joined(separator: "\n")
    }
}

/// A ROC curve and its area.
final class ROCObject: NativeObject {
    let curve: ROCCurve
    /// What is positive, e.g. "malignant vs rest".
    let positiveName: String
    init(_ curve: ROCCurve, positiveName: String) {
        self.curve = curve
        self.positiveName = positiveName
    }
    var typeName: String { "ROCCurve" }
    var description: String {
        "ROCCurve(\(positiveName) vs rest: \(curve.thresholds.count) points, AUC \(format(curve.area)))"
    }
}

/// Reliability bins, expected calibration error and Brier score of a model's probabilities.
final class CalibrationObject: NativeObject {
    let calibration: Calibration
    let brierScore: Double
    /// nil for the top-label calibration of all classes; the class name for one class against the rest.
    let positiveName: String?
    init(_ calibration: Calibration, brierScore: Double, positiveName: String?) {
        self.calibration = calibration
        self.brierScore = brierScore
        self.positiveName = positiveName
    }
    var typeName: String { "Calibration" }
    var probabilityName: String { positiveName.map { "P(\($0))" } ?? "confidence" }
    var outcomeName: String { positiveName.map { "observed rate of \($0)" } ?? "accuracy" }
    var description: String {
        let meanHeader = "mean \(probabilityName)"
        var lines = [
            "Calibration (\(positiveName.map { "\($0) vs rest" } ?? "top-label confidence"), "
                + "\(calibration.bins.count) bins): ECE \(format(calibration.expectedCalibrationError)), "
                + "Brier score \(format(brierScore))",
            "  bin        examples  \(meanHeader)  \(outcomeName)",
        ]
        for bin in calibration.bins where bin.count > 0 {
            lines.append(
                "  " + String(format: "%.2f–%.2f", bin.lower, bin.upper) + String(bin.count).leftPadded(10) + "  "
                    + String(format: "%.3f", bin.meanConfidence).leftPadded(meanHeader.count) + "  "
                    + String(format: "%.3f", bin.accuracy).leftPadded(outcomeName.count))
        }
        return lines.joined(separator: "\n")
    }
}
