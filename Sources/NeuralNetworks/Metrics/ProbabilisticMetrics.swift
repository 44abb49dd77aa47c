// ProbabilisticMetrics: ROC curve and AUC, log loss, calibration (ECE and reliability bins).
import Foundation
import TensorCore

/// A ROC curve: false- and true-positive rates at each distinct score threshold (highest first, starting at (0, 0)).
public struct ROCCurve: Sendable, Equatable {
    public let falsePositiveRates: [Double]
    public let truePositiveRates: [Double]
    /// The thresholds (`score ≥ threshold` is positive); the first is +∞.
    public let thresholds: [Double]
    /// The area under the curve (trapezoids; ties count one half).
    public let area: Double
}

/// One reliability bin: the examples whose confidence falls in `[lower, upper)`.
public struct ReliabilityBin: Sendable, Equatable {
    public let lower: Double
    public let upper: Double
    public let count: Int
    /// Mean confidence and accuracy in the bin (0 when empty).
    public let meanConfidence: Double
    public let accuracy: Double
}

/// Expected calibration error and the bins it sums over.
public struct Calibration: Sendable, Equatable {
    /// `ECE = Σ_b (n_b / N) · |accuracy_b − confidence_b|`.
    public let expectedCalibrationError: Double
    public let bins: [ReliabilityBin]
}

/// Metrics on predicted probabilities and scores.
public enum ProbabilisticMetrics {
    /// The ROC curve of binary `labels` (1 = positive) ranked by `scores`.
    public static func rocCurve(scores: [Double], labels: [Int]) throws -> ROCCurve {
        guard scores.count == labels.count else {
            throw NeuralNetworkError("rocCurve", "\(scores.count) scores for \(labels.count) labels")
        }
        let positives = labels.filter { $0 == 1 }.count
        let negatives = labels.count - positives
        guard positives > 0, negatives > 0 else {
            throw NeuralNetworkError("rocCurve", "needs both positive and negative examples")
        }
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var fpr = [0.0]
        var tpr = [0.0]
        var thresholds = [Double.infinity]
        var (tp, fp) = (0, 0)
        var index = 0
        while index < order.count {
            let threshold = scores[order[index]]
            while index < order.count && scores[order[index]] == threshold {
                if labels[order[index]] == 1 { tp += 1 } else { fp += 1 }
                index += 1
            }
            fpr.append(Double(fp) / Double(negatives))
            tpr.append(Double(tp) / Double(positives))
            thresholds.append(threshold)
        }
        var area = 0.0
        for i in 1..<fpr.count { area += (fpr[i] - fpr[i - 1]) * (tpr[i] + tpr[i - 1]) / 2 }
        return ROCCurve(falsePositiveRates: fpr, truePositiveRates: tpr, thresholds: thresholds, area: area)
    }

    /// The area under the ROC curve.
    public static func auc(scores: [Double], labels: [Int]) throws -> Double {
        try rocCurve(scores: scores, labels: labels).area
    }

    /// Mean negative log-likelihood of the true classes: `−(1/N) Σ log p[n][yₙ]` with `p` clipped to `[1e-15, 1]`.
    /// `probabilities` are rows of class probabilities.
    public static func logLoss(probabilities: [[Double]], labels: [Int]) throws -> Double {
        try checkRows(probabilities, labels: labels, metric: "logLoss")
        var total = 0.0
        for (row, label) in zip(probabilities, labels) {
            total -= log(min(max(row[label], 1e-15), 1))
        }
        return total / Double(labels.count)
    }

    /// Calibration of the top-class confidence over `bins` equal-width bins of `[0, 1]` (top edge included in the last):
    /// the reliability of "the predicted class is right", with the top probability as its probability.
    public static func calibration(probabilities: [[Double]], labels: [Int], bins: Int = 10) throws -> Calibration {
        guard probabilities.count == labels.count else {
            throw NeuralNetworkError("calibration", "\(probabilities.count) rows for \(labels.count) labels")
        }
        var confidences: [Double] = []
        var correct: [Bool] = []
        for (row, label) in zip(probabilities, labels) {
            guard let top = row.indices.max(by: { row[$0] < row[$1] }) else { continue }
            confidences.append(row[top])
            correct.append(top == label)
        }
        return try reliability(probabilities: confidences, outcomes: correct, bins: bins)
    }

    /// Reliability of binary probabilities: `probabilities[n]` is the predicted probability that `outcomes[n]` is
    /// true, grouped into `bins` equal-width bins of `[0, 1]` (top edge included in the last). A bin's
    /// `meanConfidence` is its mean predicted probability and its `accuracy` the observed frequency of true
    /// outcomes (scikit-learn's `calibration_curve` with `strategy="uniform"`); the error is
    /// `Σ_b (n_b / N) · |frequency_b − mean probability_b|`.
    public static func reliability(probabilities: [Double], outcomes: [Bool], bins: Int = 10) throws -> Calibration {
        guard probabilities.count == outcomes.count, !outcomes.isEmpty else {
            throw NeuralNetworkError(
                "calibration", "\(probabilities.count) probabilities for \(outcomes.count) outcomes")
        }
        guard bins > 0 else { throw NeuralNetworkError("calibration", "needs at least one bin, got \(bins)") }
        // Three accumulators and a result per bin.
        try MemoryBudget.check(
            count: MemoryBudget.scalarCount(of: [bins, 8]), scalarBytes: 8, operation: "calibration", shapes: [])
        var counts = [Int](repeating: 0, count: bins)
        var predicted = [Double](repeating: 0, count: bins)
        var observed = [Double](repeating: 0, count: bins)
        for (p, outcome) in zip(probabilities, outcomes) {
            guard p.isFinite, p >= 0, p <= 1 else {
                throw NeuralNetworkError("calibration", "probability \(p) is not in [0, 1]")
            }
            let bin = min(Int(p * Double(bins)), bins - 1)
            counts[bin] += 1
            predicted[bin] += p
            if outcome { observed[bin] += 1 }
        }
        var error = 0.0
        var result: [ReliabilityBin] = []
        for b in 0..<bins {
            let n = Double(counts[b])
            let meanPredicted = n > 0 ? predicted[b] / n : 0
            let frequency = n > 0 ? observed[b] / n : 0
            error += n / Double(outcomes.count) * abs(frequency - meanPredicted)
            result.append(
                ReliabilityBin(
                    lower: Double(b) / Double(bins), upper: Double(b + 1) / Double(bins), count: counts[b],
                    meanConfidence: meanPredicted, accuracy: frequency))
        }
        return Calibration(expectedCalibrationError: error, bins: result)
    }

    /// The Brier score of binary probabilities: the mean of `(p − outcome)²` (0 is perfect; scikit-learn's
    /// `brier_score_loss`).
    public static func brierScore(probabilities: [Double], outcomes: [Bool]) throws -> Double {
        guard probabilities.count == outcomes.count, !outcomes.isEmpty else {
            throw NeuralNetworkError(
                "brierScore", "\(probabilities.count) probabilities for \(outcomes.count) outcomes")
        }
        return zip(probabilities, outcomes).reduce(0) { total, pair in
            let difference = pair.0 - (pair.1 ? 1 : 0)
            return total + difference * difference
        } / Double(outcomes.count)
    }

    /// The multi-class Brier score: the mean over examples of `Σ_k (p[n][k] − [yₙ = k])²` (0 is perfect, 2 the
    /// worst; Brier's original definition).
    public static func brierScore(probabilities: [[Double]], labels: [Int]) throws -> Double {
        try checkRows(probabilities, labels: labels, metric: "brierScore")
        var total = 0.0
        for (row, label) in zip(probabilities, labels) {
            for (k, p) in row.enumerated() {
                let difference = p - (k == label ? 1 : 0)
                total += difference * difference
            }
        }
        return total / Double(labels.count)
    }

    /// One row of class probabilities per label, and every label a column of its row.
    static func checkRows(_ probabilities: [[Double]], labels: [Int], metric: String) throws {
        guard probabilities.count == labels.count, !labels.isEmpty else {
            throw NeuralNetworkError(metric, "\(probabilities.count) rows for \(labels.count) labels")
        }
        for (row, label) in zip(probabilities, labels) where !row.indices.contains(label) {
            throw NeuralNetworkError(metric, "label \(label) out of range 0..<\(row.count)")
        }
    }
}

/// Metrics for regression.
public enum RegressionMetrics {
    /// Mean squared error.
    public static func meanSquaredError(predicted: [Double], actual: [Double]) throws -> Double {
        try check(predicted, actual)
        return zip(predicted, actual).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Double(actual.count)
    }

    /// Mean absolute error.
    public static func meanAbsoluteError(predicted: [Double], actual: [Double]) throws -> Double {
        try check(predicted, actual)
        return zip(predicted, actual).reduce(0) { $0 + abs($1.0 - $1.1) } / Double(actual.count)
    }

    /// The coefficient of determination `R² = 1 − SS_res / SS_tot` (0 when the targets are constant and fitted
    /// exactly is reported as 1, otherwise 0, as scikit-learn).
    public static func r2(predicted: [Double], actual: [Double]) throws -> Double {
        try check(predicted, actual)
        let mean = actual.reduce(0, +) / Double(actual.count)
        let residual = zip(predicted, actual).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        let total = actual.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        if total == 0 { return residual == 0 ? 1 : 0 }
        return 1 - residual / total
    }

    static func check(_ a: [Double], _ b: [Double]) throws {
        guard a.count == b.count, !a.isEmpty else {
            throw NeuralNetworkError("metrics", "\(a.count) predictions for \(b.count) targets")
        }
    }
}
