// ClassificationMetrics: accuracy, confusion matrix, precision/recall/F1 (per class, macro, micro, weighted).

/// Precision, recall, F1 and support of one class (or an average).
public struct ClassScores: Sendable, Equatable {
    public let precision: Double
    public let recall: Double
    public let f1: Double
    /// How many examples truly belong to the class (for an average: all examples).
    public let support: Int
}

/// Per-class scores and their macro, micro and weighted averages (as scikit-learn's `classification_report`; a
/// class with no predictions has precision 0, with no examples recall 0).
public struct ClassificationReport: Sendable, Equatable {
    public let perClass: [ClassScores]
    /// The unweighted mean over classes.
    public let macro: ClassScores
    /// From the pooled counts (for single-label classification precision = recall = F1 = accuracy).
    public let micro: ClassScores
    /// The mean over classes weighted by support.
    public let weighted: ClassScores
    public let accuracy: Double
    public let confusionMatrix: [[Int]]
}

/// Metrics for classifiers, on class ids.
public enum ClassificationMetrics {
    /// The fraction of `predicted` equal to `actual`.
    public static func accuracy(predicted: [Int], actual: [Int]) throws -> Double {
        try check(predicted, actual)
        guard !actual.isEmpty else { return 0 }
        return Double(zip(predicted, actual).filter { $0 == $1 }.count) / Double(actual.count)
    }

    /// `matrix[actual][predicted]` counts, for classes `0..<classes` (default: the largest id + 1).
    public static func confusionMatrix(predicted: [Int], actual: [Int], classes: Int? = nil) throws -> [[Int]] {
        try check(predicted, actual)
        let classes = classes ?? ((predicted + actual).max() ?? -1) + 1
        var matrix = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
        for (p, a) in zip(predicted, actual) {
            guard (0..<classes).contains(p), (0..<classes).contains(a) else {
                throw NeuralNetworkError("confusionMatrix", "class id outside 0..<\(classes)")
            }
            matrix[a][p] += 1
        }
        return matrix
    }

    /// Precision, recall and F1 per class with macro, micro and weighted averages.
    public static func report(predicted: [Int], actual: [Int], classes: Int? = nil) throws -> ClassificationReport {
        let matrix = try confusionMatrix(predicted: predicted, actual: actual, classes: classes)
        let k = matrix.count
        var perClass: [ClassScores] = []
        var (truePositives, falsePositives, falseNegatives) = (0, 0, 0)
        for c in 0..<k {
            let tp = matrix[c][c]
            let predictedCount = (0..<k).reduce(0) { $0 + matrix[$1][c] }
            let support = matrix[c].reduce(0, +)
            truePositives += tp
            falsePositives += predictedCount - tp
            falseNegatives += support - tp
            perClass.append(scores(tp: tp, predicted: predictedCount, support: support))
        }
        let total = actual.count
        func mean(_ key: KeyPath<ClassScores, Double>, weighted: Bool) -> Double {
            guard k > 0 else { return 0 }
            if weighted {
                return total == 0
                    ? 0 : perClass.reduce(0) { $0 + $1[keyPath: key] * Double($1.support) } / Double(total)
            }
            return perClass.reduce(0) { $0 + $1[keyPath: key] } / Double(k)
        }
        let macro = ClassScores(
            precision: mean(\.precision, weighted: false), recall: mean(\.recall, weighted: false),
            f1: mean(\.f1, weighted: false), support: total)
        let weighted = ClassScores(
            precision: mean(\.precision, weighted: true), recall: mean(\.recall, weighted: true),
            f1: mean(\.f1, weighted: true), support: total)
        let micro = scores(tp: truePositives, predicted: truePositives + falsePositives, support: total)
        return ClassificationReport(
            perClass: perClass, macro: macro, micro: micro, weighted: weighted,
            accuracy: total == 0 ? 0 : Double(truePositives) / Double(total), confusionMatrix: matrix)
    }

    static func scores(tp: Int, predicted: Int, support: Int) -> ClassScores {
        let precision = predicted == 0 ? 0 : Double(tp) / Double(predicted)
        let recall = support == 0 ? 0 : Double(tp) / Double(support)
        let f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
        return ClassScores(precision: precision, recall: recall, f1: f1, support: support)
    }

    static func check(_ a: [Int], _ b: [Int]) throws {
        guard a.count == b.count else {
            throw NeuralNetworkError("metrics", "\(a.count) predictions for \(b.count) labels")
        }
    }
}
