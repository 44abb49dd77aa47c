// Evaluation: accuracy, classification report, confusion matrix, ROC curve and calibration of a model on a dataset.
import Foundation
import NeuralNetworks
import RigorScript
import TensorCore

extension RigorLibrary {
    /// The model's predicted classes and the true labels on `data`.
    static func predictions(_ model: ModelObject, _ data: DatasetObject) throws -> (predicted: [Int], actual: [Int]) {
        try model.materialize(data.featureShape)
        let predicted = try engine { try model.model.predictClasses(data.data.features) }
        return (predicted, data.data.labels)
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

    static func registerEvaluation(in registry: BuiltinRegistry) {
        registry.beginFamily("Evaluation")
        let model = Arg<ModelObject>(nil, "model", type: "Model")
        let data = Arg<DatasetObject>(nil, "data")
        registry.function(
            "accuracy", model, data, doc: "The fraction of examples of `data` whose predicted class is the label.",
            example: "accuracy(model, data.validation)   // 0.97"
        ) { context, model, data -> Double in
            let (predicted, actual) = try predictions(model, data)
            RigorChecks.checkTestScore(model, on: data, by: "accuracy", in: context)
            return try engine { try ClassificationMetrics.accuracy(predicted: predicted, actual: actual) }
        }
        registry.function(
            "classificationReport", model, data,
            doc: "Precision, recall, F1 and support per class, with macro and weighted averages.",
            example: "classificationReport(model, data.test)"
        ) { context, model, data in
            let (predicted, actual) = try predictions(model, data)
            RigorChecks.checkTestScore(model, on: data, by: "classificationReport", in: context)
            let report = try engine {
                try ClassificationMetrics.report(predicted: predicted, actual: actual, classes: data.classCount)
            }
            return ReportObject(report, classNames: report.perClass.indices.map(data.className))
        }
        registry.function(
            "confusionMatrix", model, data,
            doc: "Counts of examples by actual class (rows) and predicted class (columns).",
            example: "confusionMatrix(model, data.test)"
        ) { context, model, data in
            let (predicted, actual) = try predictions(model, data)
            RigorChecks.checkTestScore(model, on: data, by: "confusionMatrix", in: context)
            let counts = try engine {
                try ClassificationMetrics.confusionMatrix(
                    predicted: predicted, actual: actual, classes: data.classCount)
            }
            return ConfusionMatrixObject(counts, classNames: counts.indices.map(data.className))
        }
        registry.function(
            "rocCurve", model, data, Arg<ClassSelector>("positiveClass", default: .id(1)),
            doc: "The ROC curve of `positiveClass` (an id, or a class name of the dataset) against the rest, scored "
                + "by the model's probability of it. Shows as a chart with the chance diagonal and the AUC.",
            example: "rocCurve(model, data.test, positiveClass: \"malignant\").auc"
        ) { context, model, data, positiveClass in
            let rows = try probabilities(model, data)
            RigorChecks.checkTestScore(model, on: data, by: "rocCurve", in: context)
            let positive = try positiveClass.id(
                in: data, classes: rows.first?.count ?? 0, parameter: "positiveClass")
            let labels = data.data.labels.map { $0 == positive ? 1 : 0 }
            let curve = try engine {
                try ProbabilisticMetrics.rocCurve(scores: rows.map { $0[positive] }, labels: labels)
            }
            return ROCObject(curve, positiveName: data.className(positive))
        }
        registry.function(
            "calibration", model, data, Arg("bins", default: 10, bound: .within(1...1000)),
            Arg<ClassSelector?>("positiveClass", default: nil),
            doc: "How far the model's probabilities can be trusted: examples grouped into `bins` equal-width "
                + "bins of predicted probability, each bin's mean prediction against what was observed, the expected "
                + "calibration error (ECE: the example-weighted mean gap) and the Brier score. Without "
                + "`positiveClass`, the top-label confidence against accuracy (multi-class Brier score); with it, "
                + "P(that class) against how often it was the label (binary Brier score). Shows as a reliability "
                + "diagram with the examples per bin.",
            example:
                "calibration(model, data.validation, bins: 5, positiveClass: \"malignant\").expectedCalibrationError"
        ) { context, model, data, bins, positiveClass in
            let rows = try probabilities(model, data)
            RigorChecks.checkTestScore(model, on: data, by: "calibration", in: context)
            let labels = data.data.labels
            guard let positiveClass else {
                let result = try engine {
                    try ProbabilisticMetrics.calibration(probabilities: rows, labels: labels, bins: bins)
                }
                let brier = try engine { try ProbabilisticMetrics.brierScore(probabilities: rows, labels: labels) }
                return CalibrationObject(result, brierScore: brier, positiveName: nil)
            }
            let positive = try positiveClass.id(
                in: data, classes: rows.first?.count ?? 0, parameter: "positiveClass")
            let p = rows.map { $0[positive] }
            let outcomes = labels.map { $0 == positive }
            let result = try engine {
                try ProbabilisticMetrics.reliability(probabilities: p, outcomes: outcomes, bins: bins)
            }
            let brier = try engine { try ProbabilisticMetrics.brierScore(probabilities: p, outcomes: outcomes) }
            return CalibrationObject(result, brierScore: brier, positiveName: data.className(positive))
        }
        registerEvaluationTypes(in: registry)
    }

    private static func registerEvaluationTypes(in registry: BuiltinRegistry) {
        let report = registry.type(ReportObject.self, doc: "Per-class precision, recall and F1 with averages.")
        report.property("accuracy", doc: "The overall accuracy.") { $0.report.accuracy }
        report.property("macroF1", doc: "The unweighted mean F1 over classes.") { $0.report.macro.f1 }
        report.property("weightedF1", doc: "The support-weighted mean F1.") { $0.report.weighted.f1 }
        for (name, path) in [
            ("precision", \ClassScores.precision), ("recall", \ClassScores.recall), ("f1", \ClassScores.f1),
        ] {
            report.property(name, doc: "The \(name) of each class.") { $0.report.perClass.map { $0[keyPath: path] } }
        }

        let matrix = registry.type(
            ConfusionMatrixObject.self, doc: "Counts by actual class (rows) and predicted class (columns).")
        matrix.property("counts", doc: "The counts, `counts[actual][predicted]`.") { $0.counts }
        matrix.subscriptGetter { object, indices, _ in
            let counts = object.counts
            guard indices.count == 2, let a = indices[0].intValue, let p = indices[1].intValue,
                counts.indices.contains(a), counts.indices.contains(p)
            else { throw BuiltinError(.index, "index a confusion matrix as matrix[actual, predicted]") }
            return .int(counts[a][p])
        }

        let roc = registry.type(ROCObject.self, doc: "A receiver operating characteristic curve.")
        roc.property("auc", doc: "The area under the curve.") { $0.curve.area }
        roc.property("falsePositiveRates", doc: "The x values.") { $0.curve.falsePositiveRates }
        roc.property("truePositiveRates", doc: "The y values.") { $0.curve.truePositiveRates }
        roc.property("thresholds", doc: "The score threshold of each point (the first is +∞).") {
            $0.curve.thresholds
        }

        let calibration = registry.type(
            CalibrationObject.self,
            doc: "Reliability bins, expected calibration error and Brier score of a model's probabilities.")
        calibration.property(
            "expectedCalibrationError",
            doc: "The example-weighted mean of |observed − predicted| over the bins (0 is perfectly calibrated)."
        ) { $0.calibration.expectedCalibrationError }
        calibration.property(
            "brierScore", doc: "The mean squared error of the probabilities (0 is perfect)."
        ) { $0.brierScore }
        calibration.property("counts", doc: "The number of examples in each bin.") {
            $0.calibration.bins.map(\.count)
        }
        let binFields: [(String, String, (ReliabilityBin) -> Double)] = [
            (
                "meanPredicted", "The mean predicted probability in each bin (0 for an empty bin).",
                { $0.meanConfidence }
            ),
            (
                "observed",
                "The observed rate in each bin: accuracy, or how often the class was the label (0 when empty).",
                { $0.accuracy }
            ),
            ("lowerEdges", "The lower edge of each bin.", { $0.lower }),
            ("upperEdges", "The upper edge of each bin.", { $0.upper }),
        ]
        for (name, doc, field) in binFields {
            calibration.property(name, doc: doc) { $0.calibration.bins.map(field) }
        }
    }
}
