// Evaluation: accuracy, classification report, confusion matrix, ROC curve and calibration of a model on a dataset.
import Foundation
import NeuralNetworks
import RigorScript
import TensorCore

extension RigorLibrary {
    /// The model's predicted classes and the true labels on `data`.
    static func predictions(
        _ arguments: Arguments
    ) throws -> (
        predicted: [Int], actual: [Int], classes: Int?, data: DatasetObject
    ) {
        let model = try arguments.model(0)
        let data = try arguments.dataset(1)
        try model.materialize(data.featureShape)
        let predicted = try engine { try model.model.predictClasses(data.data.features) }
        return (predicted, data.data.labels, data.classCount, data)
    }

    /// The model's class probabilities on `data`, one row per example: the softmax of the outputs, or for a single
    /// output the sigmoid of it (a single output is a logit, as `predictClasses` and `.binaryCrossEntropy` read it).
    static func probabilities(_ model: ModelObject, _ data: DatasetObject) throws -> [[Double]] {
        try model.materialize(data.featureShape)
        let output = try engine { try model.model.predict(data.data.features) }
        guard output.rank == 2 else {
            throw BuiltinError(
                .value, "expected the model to output [N, classes], got \(TensorError.format(shape: output.shape))")
        }
        if output.shape[1] == 1 {
            return output.scalars.map { logit in
                let p = 1 / (1 + Foundation.exp(-Double(logit)))
                return [1 - p, p]
            }
        }
        let classes = output.shape[1]
        let flat = try engine { try output.softmax(alongAxis: -1) }.scalars
        return stride(from: 0, to: flat.count, by: classes).map { start in
            flat[start..<start + classes].map(Double.init)
        }
    }

    /// A class given by id or by name (`positiveClass: 0` or `positiveClass: "malignant"`).
    static func classIndex(_ arguments: Arguments, _ index: Int, data: DatasetObject, classes: Int) throws -> Int {
        let id: Int
        if case .string(let name) = arguments[index] {
            guard let names = data.classNames else {
                throw BuiltinError(
                    .value, "this dataset has no class names; give the class id (0..<\(classes)) instead",
                    argument: index)
            }
            guard let found = names.firstIndex(of: name) else {
                throw BuiltinError(
                    .value, "no class named '\(name)'; the classes are \(names.joined(separator: ", "))",
                    argument: index)
            }
            id = found
        } else {
            id = try arguments.int(index)
        }
        guard (0..<classes).contains(id) else {
            throw BuiltinError(
                .value, "class \(id) is not one of the \(classes) classes 0..<\(classes)", argument: index)
        }
        return id
    }

    static func registerEvaluation(in registry: BuiltinRegistry) {
        registry.beginFamily("Evaluation")
        let modelAndData = [param(nil, "model", "Model"), param(nil, "data", "Dataset")]
        registry.global(
            "accuracy", modelAndData, returns: "Double",
            doc: "The fraction of examples of `data` whose predicted class is the label.",
            example: "accuracy(model, data.validation)   // 0.97"
        ) { arguments, _ in
            let (predicted, actual, _, _) = try predictions(arguments)
            return .double(try engine { try ClassificationMetrics.accuracy(predicted: predicted, actual: actual) })
        }
        registry.global(
            "classificationReport", modelAndData, returns: "ClassificationReport",
            doc: "Precision, recall, F1 and support per class, with macro and weighted averages.",
            example: "classificationReport(model, data.test)"
        ) { arguments, _ in
            let (predicted, actual, classes, data) = try predictions(arguments)
            let report = try engine {
                try ClassificationMetrics.report(predicted: predicted, actual: actual, classes: classes)
            }
            return .object(ReportObject(report, classNames: report.perClass.indices.map(data.className)))
        }
        registry.global(
            "confusionMatrix", modelAndData, returns: "ConfusionMatrix",
            doc: "Counts of examples by actual class (rows) and predicted class (columns).",
            example: "confusionMatrix(model, data.test)"
        ) { arguments, _ in
            let (predicted, actual, classes, data) = try predictions(arguments)
            let counts = try engine {
                try ClassificationMetrics.confusionMatrix(predicted: predicted, actual: actual, classes: classes)
            }
            return .object(ConfusionMatrixObject(counts, classNames: counts.indices.map(data.className)))
        }
        let positiveClass = param("positiveClass", "positiveClass", "Int or String", default: .int(1))
        registry.global(
            "rocCurve", modelAndData + [positiveClass], returns: "ROCCurve",
            doc: "The ROC curve of `positiveClass` (an id, or a class name of the dataset) against the rest, scored "
                + "by the model's probability of it. Shows as a chart with the chance diagonal and the AUC.",
            example: "rocCurve(model, data.test, positiveClass: \"malignant\").auc"
        ) { arguments, _ in
            let model = try arguments.model(0)
            let data = try arguments.dataset(1)
            let rows = try probabilities(model, data)
            let positive = try classIndex(arguments, 2, data: data, classes: rows.first?.count ?? 0)
            let labels = data.data.labels.map { $0 == positive ? 1 : 0 }
            let curve = try engine {
                try ProbabilisticMetrics.rocCurve(scores: rows.map { $0[positive] }, labels: labels)
            }
            return .object(ROCObject(curve, positiveName: data.className(positive)))
        }
        registry.global(
            "calibration",
            modelAndData + [
                param("bins", "bins", "Int", default: .int(10)),
                param("positiveClass", "positiveClass", "Int or String?", default: .nil),
            ],
            returns: "Calibration",
            doc: "How far the model's probabilities can be trusted: examples grouped into `bins` equal-width "
                + "bins of predicted probability, each bin's mean prediction against what was observed, the expected "
                + "calibration error (ECE: the example-weighted mean gap) and the Brier score. Without "
                + "`positiveClass`, the top-label confidence against accuracy (multi-class Brier score); with it, "
                + "P(that class) against how often it was the label (binary Brier score). Shows as a reliability "
                + "diagram with the examples per bin.",
            example:
                "calibration(model, data.validation, bins: 5, positiveClass: \"malignant\").expectedCalibrationError"
        ) { arguments, _ in
            let model = try arguments.model(0)
            let data = try arguments.dataset(1)
            let bins = try arguments.int(2)
            guard (1...1000).contains(bins) else {
                throw BuiltinError(.value, "bins must be between 1 and 1000, got \(bins)", argument: 2)
            }
            let rows = try probabilities(model, data)
            let labels = data.data.labels
            if arguments.isNil(3) {
                let result = try engine {
                    try ProbabilisticMetrics.calibration(probabilities: rows, labels: labels, bins: bins)
                }
                let brier = try engine { try ProbabilisticMetrics.brierScore(probabilities: rows, labels: labels) }
                return .object(CalibrationObject(result, brierScore: brier, positiveName: nil))
            }
            let positive = try classIndex(arguments, 3, data: data, classes: rows.first?.count ?? 0)
            let p = rows.map { $0[positive] }
            let outcomes = labels.map { $0 == positive }
            let result = try engine {
                try ProbabilisticMetrics.reliability(probabilities: p, outcomes: outcomes, bins: bins)
            }
            let brier = try engine { try ProbabilisticMetrics.brierScore(probabilities: p, outcomes: outcomes) }
            return .object(CalibrationObject(result, brierScore: brier, positiveName: data.className(positive)))
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
        roc.getter("thresholds", type: "[Double]", doc: "The score threshold of each point (the first is +∞).") {
            .array(try $0.object(ROCObject.self).curve.thresholds.map(Value.double))
        }
        registry.register(roc)

        let calibration = TypeDescriptor(
            "Calibration",
            doc: "Reliability bins, expected calibration error and Brier score of a model's probabilities.")
        calibration.getter(
            "expectedCalibrationError", type: "Double",
            doc: "The example-weighted mean of |observed − predicted| over the bins (0 is perfectly calibrated)."
        ) { .double(try $0.object(CalibrationObject.self).calibration.expectedCalibrationError) }
        calibration.getter(
            "brierScore", type: "Double", doc: "The mean squared error of the probabilities (0 is perfect)."
        ) { .double(try $0.object(CalibrationObject.self).brierScore) }
        let binFields: [(String, String, String, (ReliabilityBin) -> Value)] = [
            ("counts", "[Int]", "The number of examples in each bin.", { .int($0.count) }),
            (
                "meanPredicted", "[Double]", "The mean predicted probability in each bin (0 for an empty bin).",
                { .double($0.meanConfidence) }
            ),
            (
                "observed", "[Double]",
                "The observed rate in each bin: accuracy, or how often the class was the label (0 when empty).",
                { .double($0.accuracy) }
            ),
            ("lowerEdges", "[Double]", "The lower edge of each bin.", { .double($0.lower) }),
            ("upperEdges", "[Double]", "The upper edge of each bin.", { .double($0.upper) }),
        ]
        for (name, type, doc, field) in binFields {
            calibration.getter(name, type: type, doc: doc) {
                .array(try $0.object(CalibrationObject.self).calibration.bins.map(field))
            }
        }
        registry.register(calibration)
    }
}
