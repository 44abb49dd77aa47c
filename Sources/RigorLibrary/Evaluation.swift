// Evaluation: accuracy, classification report, confusion matrix and ROC curve of a model on a dataset.
import Foundation
import NeuralNetworks
import RigorScript
import TensorCore

/// Per-class precision, recall and F1 with averages.
final class ReportObject: NativeObject {
    let report: ClassificationReport
    init(_ report: ClassificationReport) { self.report = report }
    var typeName: String { "ClassificationReport" }
    var description: String {
        func row(_ name: String, _ s: ClassScores) -> String {
            name.leftPadded(12) + "  " + [s.precision, s.recall, s.f1].map { String(format: "%9.3f", $0) }.joined()
                + String(s.support).leftPadded(9)
        }
        var lines = ["       class  precision   recall       f1  support"]
        for (index, scores) in report.perClass.enumerated() { lines.append(row(String(index), scores)) }
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
    init(_ counts: [[Int]]) { self.counts = counts }
    var typeName: String { "ConfusionMatrix" }
    var description: String {
        let width = max(4, (counts.flatMap { $0 }.max().map { String($0).count } ?? 1) + 1)
        var lines = ["actual \\ predicted"]
        lines.append("      " + (0..<counts.count).map { String($0).leftPadded(width) }.joined())
        for (index, row) in counts.enumerated() {
            lines.append(String(index).leftPadded(5) + " " + row.map { String($0).leftPadded(width) }.joined())
        }
        return lines.joined(separator: "\n")
    }
}

/// A ROC curve and its area.
final class ROCObject: NativeObject {
    let curve: ROCCurve
    init(_ curve: ROCCurve) { self.curve = curve }
    var typeName: String { "ROCCurve" }
    var description: String { "ROCCurve(\(curve.thresholds.count) points, AUC \(format(curve.area)))" }
}

extension RigorLibrary {
    /// The model's predicted classes and the true labels on `data`.
    static func predictions(_ arguments: Arguments) throws -> (predicted: [Int], actual: [Int], classes: Int?) {
        let model = try arguments.model(0)
        let data = try arguments.dataset(1)
        try model.materialize(data.featureShape)
        let predicted = try engine { try model.model.predictClasses(data.data.features) }
        return (predicted, data.data.labels, data.classCount)
    }

    static func registerEvaluation(in registry: BuiltinRegistry) {
        registry.beginFamily("Evaluation")
        let modelAndData = [param(nil, "model", "Model"), param(nil, "data", "Dataset")]
        registry.global(
            "accuracy", modelAndData, returns: "Double",
            doc: "The fraction of examples of `data` whose predicted class is the label.",
            example: "accuracy(model, data.validation)   // 0.97"
        ) { arguments, _ in
            let (predicted, actual, _) = try predictions(arguments)
            return .double(try engine { try ClassificationMetrics.accuracy(predicted: predicted, actual: actual) })
        }
        registry.global(
            "classificationReport", modelAndData, returns: "ClassificationReport",
            doc: "Precision, recall, F1 and support per class, with macro and weighted averages.",
            example: "classificationReport(model, data.test)"
        ) { arguments, _ in
            let (predicted, actual, classes) = try predictions(arguments)
            return .object(
                ReportObject(
                    try engine {
                        try ClassificationMetrics.report(predicted: predicted, actual: actual, classes: classes)
                    }))
        }
        registry.global(
            "confusionMatrix", modelAndData, returns: "ConfusionMatrix",
            doc: "Counts of examples by actual class (rows) and predicted class (columns).",
            example: "confusionMatrix(model, data.test)"
        ) { arguments, _ in
            let (predicted, actual, classes) = try predictions(arguments)
            return .object(
                ConfusionMatrixObject(
                    try engine {
                        try ClassificationMetrics.confusionMatrix(
                            predicted: predicted, actual: actual, classes: classes)
                    }))
        }
        registry.global(
            "rocCurve", modelAndData + [param("positiveClass", "positiveClass", "Int", default: .int(1))],
            returns: "ROCCurve",
            doc: "The ROC curve of `positiveClass` against the rest, scored by the model's probability of it.",
            example: "rocCurve(model, data.test).auc"
        ) { arguments, _ in
            let model = try arguments.model(0)
            let data = try arguments.dataset(1)
            let positive = try arguments.int(2)
            let output = try engine { try model.model.predict(data.data.features) }
            let scores: [Double]
            if output.shape.last == 1 {
                scores = output.scalars.map(Double.init)
            } else {
                let classes = output.shape.last ?? 0
                guard (0..<classes).contains(positive) else {
                    throw BuiltinError(
                        .value, "positiveClass \(positive) is not one of the \(classes) outputs", argument: 2)
                }
                let probabilities = try engine { try output.softmax(alongAxis: -1) }.scalars
                scores = stride(from: positive, to: probabilities.count, by: classes).map { Double(probabilities[$0]) }
            }
            let labels = data.data.labels.map { $0 == positive ? 1 : 0 }
            return .object(ROCObject(try engine { try ProbabilisticMetrics.rocCurve(scores: scores, labels: labels) }))
        }

        let report = TypeDescriptor("ClassificationReport", doc: "Per-class precision, recall and F1 with averages.")
        report.getter("accuracy", type: "Double", doc: "The overall accuracy.") {
            .double(try $0.object(ReportObject.self).report.accuracy)
        }
        report.getter("macroF1", type: "Double", doc: "The unweighted mean F1 over classes.") {
            .double(try $0.object(ReportObject.self).report.macro.f1)
        }
        report.getter("weightedF1", type: "Double", doc: "The support-weighted mean F1.") {
            .double(try $0.object(ReportObject.self).report.weighted.f1)
        }
        for (name, path) in [
            ("precision", \ClassScores.precision), ("recall", \ClassScores.recall), ("f1", \ClassScores.f1),
        ] {
            report.getter(name, type: "[Double]", doc: "The \(name) of each class.") {
                .array(try $0.object(ReportObject.self).report.perClass.map { .double($0[keyPath: path]) })
            }
        }
        registry.register(report)

        let matrix = TypeDescriptor(
            "ConfusionMatrix", doc: "Counts by actual class (rows) and predicted class (columns).")
        matrix.getter("counts", type: "[[Int]]", doc: "The counts, `counts[actual][predicted]`.") {
            .array(try $0.object(ConfusionMatrixObject.self).counts.map { .array($0.map(Value.int)) })
        }
        matrix.subscriptGetter = { value, indices, _ in
            let counts = try value.object(ConfusionMatrixObject.self).counts
            guard indices.count == 2, let a = indices[0].intValue, let p = indices[1].intValue,
                counts.indices.contains(a), counts.indices.contains(p)
            else { throw BuiltinError(.index, "index a confusion matrix as matrix[actual, predicted]") }
            return .int(counts[a][p])
        }
        registry.register(matrix)

        let roc = TypeDescriptor("ROCCurve", doc: "A receiver operating characteristic curve.")
        roc.getter("auc", type: "Double", doc: "The area under the curve.") {
            .double(try $0.object(ROCObject.self).curve.area)
        }
        roc.getter("falsePositiveRates", type: "[Double]", doc: "The x values.") {
            .array(try $0.object(ROCObject.self).curve.falsePositiveRates.map(Value.double))
        }
        roc.getter("truePositiveRates", type: "[Double]", doc: "The y values.") {
            .array(try $0.object(ROCObject.self).curve.truePositiveRates.map(Value.double))
        }
        registry.register(roc)
    }
}
