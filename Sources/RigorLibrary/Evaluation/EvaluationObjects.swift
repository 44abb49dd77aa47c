// EvaluationObjects: reports, confusion matrices, ROC curves and calibrations as script values.
import Foundation
import NeuralNetworks
import RichDisplay
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
    /// The report as one table (its text and HTML views): per-class scores, accuracy, macro and weighted averages.
    var table: Table {
        func row(_ name: String, _ s: ClassScores) -> [TableCell] {
            [.text(name), .number(s.precision), .number(s.recall), .number(s.f1), .integer(s.support)]
        }
        var rows = report.perClass.enumerated().map { row(classNames[$0.offset], $0.element) }
        rows.append([.text("accuracy"), .empty, .empty, .number(report.accuracy), .integer(report.macro.support)])
        rows.append(row("macro avg", report.macro))
        rows.append(row("weighted avg", report.weighted))
        var table = Table(
            columns: ["class", "precision", "recall", "f1", "support"], rows: rows, title: "Classification report")
        table.decimalPlaces = ["precision": 3, "recall": 3, "f1": 3]
        return table
    }
    var description: String { table.plainText }
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
    /// The counts as a table: actual classes down, predicted across.
    var table: Table {
        Table(
            columns: ["actual \\ predicted"] + classNames,
            rows: counts.enumerated().map { index, row in [.text(classNames[index])] + row.map { .integer($0) } },
            title: "Confusion matrix")
    }
    var description: String { table.plainText }
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
    /// The non-empty bins as a table, ECE and Brier score in its title.
    var table: Table {
        let title =
            "Calibration (\(positiveName.map { "\($0) vs rest" } ?? "top-label confidence"), "
            + "\(calibration.bins.count) bins): ECE \(format(calibration.expectedCalibrationError)), "
            + "Brier score \(format(brierScore))"
        let meanHeader = "mean \(probabilityName)"
        var table = Table(
            columns: ["bin", "examples", meanHeader, outcomeName],
            rows: calibration.bins.filter { $0.count > 0 }.map { bin in
                [
                    .text(String(format: "%.2f–%.2f", bin.lower, bin.upper)), .integer(bin.count),
                    .number(bin.meanConfidence), .number(bin.accuracy),
                ]
            }, title: title)
        table.decimalPlaces = [meanHeader: 3, outcomeName: 3]
        return table
    }
    var description: String { table.plainText }
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
