// EvaluationObjects: reports, confusion matrices, ROC curves and calibrations as script values.
import Foundation
import NeuralNetworks
import RigorScript
import TensorCore

/// Per-class precision, recall and F1 with averages.
final class ReportObject: NativeObject, ArgumentType, ScriptValueConvertible {
    static var scriptTypeName: String { "ClassificationReport" }
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
final class ConfusionMatrixObject: NativeObject, ArgumentType, ScriptValueConvertible {
    static var scriptTypeName: String { "ConfusionMatrix" }
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
final class ROCObject: NativeObject, ArgumentType, ScriptValueConvertible {
    static var scriptTypeName: String { "ROCCurve" }
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
final class CalibrationObject: NativeObject, ArgumentType, ScriptValueConvertible {
    static var scriptTypeName: String { "Calibration" }
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

/// A class given by id or by name (`positiveClass: 0` or `positiveClass: "malignant"`).
enum ClassSelector: ArgumentType, ScriptValueConvertible {
    case id(Int)
    case name(String)

    static var scriptTypeName: String { "Int or String" }
    static func decode(_ value: Value, context: CallContext) -> ClassSelector? {
        if case .string(let name) = value { return .name(name) }
        return Int.decode(value, context: context).map(ClassSelector.id)
    }
    var scriptValue: Value {
        switch self {
        case .id(let id): return .int(id)
        case .name(let name): return .string(name)
        }
    }

    /// The class id in `data` (of `classes` classes); an error blames `parameter`.
    func id(in data: DatasetObject, classes: Int, parameter: String) throws -> Int {
        let id: Int
        switch self {
        case .id(let given): id = given
        case .name(let name):
            guard let names = data.classNames else {
                throw BuiltinError(
                    .value, "this dataset has no class names; give the class id (0..<\(classes)) instead",
                    parameter: parameter)
            }
            guard let found = names.firstIndex(of: name) else {
                throw BuiltinError(
                    .value, "no class named '\(name)'; the classes are \(names.joined(separator: ", "))",
                    parameter: parameter)
            }
            id = found
        }
        guard (0..<classes).contains(id) else {
            throw BuiltinError(
                .value, "class \(id) is not one of the \(classes) classes 0..<\(classes)", parameter: parameter)
        }
        return id
    }
}
