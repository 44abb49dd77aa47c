import Testing

@testable import NeuralNetworks

/// Worked examples; the expected numbers are scikit-learn 1.9's on the same inputs.
@Suite struct MetricsTests {
    let actual = [0, 0, 1, 1, 2, 2, 2]
    let predicted = [0, 1, 1, 1, 2, 0, 2]

    @Test func accuracyAndConfusionMatrix() throws {
        #expect(abs(try ClassificationMetrics.accuracy(predicted: predicted, actual: actual) - 5.0 / 7) < 1e-12)
        #expect(
            try ClassificationMetrics.confusionMatrix(predicted: predicted, actual: actual)
                == [[1, 1, 0], [0, 2, 0], [1, 0, 2]])
    }

    @Test func precisionRecallF1PerClassAndAveraged() throws {
        let report = try ClassificationMetrics.report(predicted: predicted, actual: actual)
        // class 0: tp 1, predicted 2, support 2; class 1: tp 2, predicted 3, support 2; class 2: tp 2, predicted 2, support 3.
        #expect(report.perClass.map(\.precision) == [0.5, 2.0 / 3, 1])
        #expect(report.perClass.map(\.recall) == [0.5, 1, 2.0 / 3])
        #expect(abs(report.perClass[1].f1 - 0.8) < 1e-12)
        #expect(abs(report.macro.precision - (0.5 + 2.0 / 3 + 1) / 3) < 1e-12)
        #expect(abs(report.macro.f1 - (0.5 + 0.8 + 0.8) / 3) < 1e-12)
        #expect(abs(report.weighted.f1 - (0.5 * 2 + 0.8 * 2 + 0.8 * 3) / 7) < 1e-12)
        #expect(abs(report.micro.f1 - 5.0 / 7) < 1e-12)
        #expect(report.accuracy == 5.0 / 7)
    }

    @Test func rocCurveAndAUC() throws {
        // sklearn.metrics.roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
        let curve = try ProbabilisticMetrics.rocCurve(scores: [0.1, 0.4, 0.35, 0.8], labels: [0, 0, 1, 1])
        #expect(curve.area == 0.75)
        #expect(curve.falsePositiveRates == [0, 0, 0.5, 0.5, 1])
        #expect(curve.truePositiveRates == [0, 0.5, 0.5, 1, 1])
        // Tied scores count one half.
        #expect(try ProbabilisticMetrics.auc(scores: [0.5, 0.5], labels: [0, 1]) == 0.5)
        #expect(throws: NeuralNetworkError.self) { try ProbabilisticMetrics.auc(scores: [0.1], labels: [1]) }
    }

    @Test func logLossAndCalibration() throws {
        // sklearn.metrics.log_loss([0, 1], [[0.9, 0.1], [0.2, 0.8]]) == 0.164252033486018
        let probabilities = [[0.9, 0.1], [0.2, 0.8]]
        #expect(
            abs(try ProbabilisticMetrics.logLoss(probabilities: probabilities, labels: [0, 1]) - 0.164_252_033_486_018)
                < 1e-12)
        // Confidences 0.9 (right), 0.8 (right), 0.6 (wrong), 0.7 (right) in 5 bins.
        let calibration = try ProbabilisticMetrics.calibration(
            probabilities: [[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7]], labels: [0, 1, 1, 1], bins: 5)
        #expect(calibration.bins.map(\.count) == [0, 0, 0, 2, 2])
        // bin [0.6, 0.8): confidence 0.65, accuracy 0.5; bin [0.8, 1]: confidence 0.85, accuracy 1.
        let expected = 0.5 * abs(0.5 - 0.65) + 0.5 * abs(1 - 0.85)
        #expect(abs(calibration.expectedCalibrationError - expected) < 1e-12)
    }

    @Test func binaryReliabilityAndBrierScore() throws {
        // sklearn.calibration.calibration_curve(y, p, n_bins=5): prob_true [0, 0.5, 0, 1], prob_pred [0.1, 0.325, 0.65, 0.85].
        let p = [0.1, 0.3, 0.35, 0.8, 0.9, 0.65]
        let y = [false, false, true, true, true, false]
        let reliability = try ProbabilisticMetrics.reliability(probabilities: p, outcomes: y, bins: 5)
        let filled = reliability.bins.filter { $0.count > 0 }
        #expect(reliability.bins.map(\.count) == [1, 2, 0, 1, 2])
        #expect(filled.map(\.accuracy) == [0, 0.5, 0, 1])
        for (bin, expected) in zip(filled, [0.1, 0.325, 0.65, 0.85]) {
            #expect(abs(bin.meanConfidence - expected) < 1e-12)
        }
        #expect(abs(reliability.expectedCalibrationError - 1.4 / 6) < 1e-12)
        // sklearn.metrics.brier_score_loss(y, p) == 0.16583333333333333
        #expect(abs(try ProbabilisticMetrics.brierScore(probabilities: p, outcomes: y) - 0.995 / 6) < 1e-12)
        // Multi-class: ((0.1² + 0.1²) + (0.2² + 0.2²)) / 2.
        #expect(
            abs(try ProbabilisticMetrics.brierScore(probabilities: [[0.9, 0.1], [0.2, 0.8]], labels: [0, 1]) - 0.05)
                < 1e-12)
        #expect(throws: NeuralNetworkError.self) {
            try ProbabilisticMetrics.reliability(probabilities: [1.5], outcomes: [true])
        }
        #expect(throws: NeuralNetworkError.self) {
            try ProbabilisticMetrics.brierScore(probabilities: [[0.5, 0.5]], labels: [2])
        }
    }

    @Test func regressionMetrics() throws {
        // sklearn: mean_squared_error 0.375, mean_absolute_error 0.5, r2_score 0.9486081370449679.
        let y = [3, -0.5, 2, 7]
        let p = [2.5, 0.0, 2, 8]
        #expect(try RegressionMetrics.meanSquaredError(predicted: p, actual: y) == 0.375)
        #expect(try RegressionMetrics.meanAbsoluteError(predicted: p, actual: y) == 0.5)
        #expect(abs(try RegressionMetrics.r2(predicted: p, actual: y) - 0.948_608_137_044_967_9) < 1e-12)
    }
}
