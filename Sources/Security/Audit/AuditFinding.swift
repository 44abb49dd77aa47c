// AuditFinding: what an audit flags, how severe it is and what to do, and the rules (with their thresholds) that turn
// an audit's measurements into ranked findings.
import Foundation

/// How much a finding matters: `high` before `medium` before `low`.
public enum AuditSeverity: Int, Sendable, Hashable, Comparable, CaseIterable {
    case high, medium, low

    public var name: String {
        switch self {
        case .high: return "high"
        case .medium: return "medium"
        case .low: return "low"
        }
    }

    public static func < (a: AuditSeverity, b: AuditSeverity) -> Bool { a.rawValue < b.rawValue }
}

/// One thing a reviewer should know: what was measured and what to do about it.
public struct AuditFinding: Sendable, Hashable {
    public let severity: AuditSeverity
    /// The report section it comes from (`data`, `performance`, `calibration`, `robustness`, `reproducibility`).
    public let section: String
    /// The measured fact, with its number: "PGD accuracy at ε = 0.1 is 3.0 % (clean 96.5 %)".
    public let title: String
    /// What to do.
    public let action: String

    public init(_ severity: AuditSeverity, _ section: String, _ title: String, action: String) {
        self.severity = severity
        self.section = section
        self.title = title
        self.action = action
    }
}

/// The measurements the rules read.
public struct AuditFacts: Sendable {
    public var testRows = 0
    public var exactDuplicates = 0
    public var nearDuplicates = 0
    public var nearDistance = 0.0
    /// Duplicate or near-duplicate pairs whose labels differ.
    public var conflictingLabels = 0
    public var piiFindings = 0
    public var piiColumns: [String] = []
    /// Largest over smallest class count, per split.
    public var classImbalance: [(split: String, ratio: Double)] = []
    public var cleanAccuracy = 0.0
    public var recallPerClass: [(name: String, recall: Double)] = []
    public var expectedCalibrationError = 0.0
    /// Accuracy under FGSM and PGD at each ε.
    public var robustness: [(epsilon: Double, fgsm: Double, pgd: Double)] = []
    /// The seed of the model's last `fit`, if it was trained by one.
    public var fitSeed: Int?

    public init() {}
}

/// The rules of an audit, with the thresholds docs/security.md states.
public enum AuditRules {
    /// Exact test/train duplicates: high at ≥ 1 % of the test rows, else medium (any duplicate is reported).
    public static let duplicateFractionHigh = 0.01
    /// Near-duplicates: medium at ≥ 1 % of the test rows, else low.
    public static let nearDuplicateFractionMedium = 0.01
    /// Largest / smallest class: high above 10, medium above 3.
    public static let imbalanceHigh = 10.0
    public static let imbalanceMedium = 3.0
    /// A class whose recall is this far below the accuracy: medium.
    public static let recallGap = 0.15
    /// Expected calibration error: high above 0.15, medium above 0.05.
    public static let calibrationHigh = 0.15
    public static let calibrationMedium = 0.05
    /// PGD accuracy below this fraction of the clean accuracy at some ε > 0: high (0.5) or medium (0.8).
    public static let robustHigh = 0.5
    public static let robustMedium = 0.8
    /// Fewer test rows than this: low (the accuracy's 95 % interval is wider than about ±6 points).
    public static let smallTest = 100

    /// The findings for `facts`, most severe first (in rule order within a severity).
    public static func findings(_ facts: AuditFacts) -> [AuditFinding] {
        var found: [AuditFinding] = []
        let testRows = max(1, facts.testRows)
        if facts.piiFindings > 0 {
            found.append(
                AuditFinding(
                    .high, "data",
                    "\(facts.piiFindings) piece\(facts.piiFindings == 1 ? "" : "s") of personal data in "
                        + facts.piiColumns.joined(separator: ", "),
                    action: "desensitize these columns (desensitize(…, operator: .pseudonym(key:)) keeps joins) "
                        + "before the data is shared or used for training"))
        }
        if facts.exactDuplicates > 0 {
            let fraction = Double(facts.exactDuplicates) / Double(testRows)
            found.append(
                AuditFinding(
                    fraction >= duplicateFractionHigh ? .high : .medium, "data",
                    "\(facts.exactDuplicates) test row\(facts.exactDuplicates == 1 ? "" : "s") "
                        + "(\(percent(fraction))) duplicated in the training data",
                    action: "remove the duplicates from the test split (or split after de-duplicating); the test "
                        + "score overstates accuracy on unseen data"))
        }
        if facts.nearDuplicates > 0 {
            let fraction = Double(facts.nearDuplicates) / Double(testRows)
            found.append(
                AuditFinding(
                    fraction >= nearDuplicateFractionMedium ? .medium : .low, "data",
                    "\(facts.nearDuplicates) test row\(facts.nearDuplicates == 1 ? "" : "s") (\(percent(fraction))) "
                        + "within \(number(facts.nearDistance)) (RMS per feature) of a training row",
                    action: "check whether these are the same examples recorded twice; if so, split by source"))
        }
        if facts.conflictingLabels > 0 {
            found.append(
                AuditFinding(
                    .medium, "data",
                    "\(facts.conflictingLabels) duplicate pair\(facts.conflictingLabels == 1 ? "" : "s") "
                        + "with different labels",
                    action: "review the labels of these rows: the same input cannot have two right answers"))
        }
        for (split, ratio) in facts.classImbalance where ratio > imbalanceMedium {
            found.append(
                AuditFinding(
                    ratio > imbalanceHigh ? .high : .medium, "data",
                    "class imbalance in \(split): largest / smallest class "
                        + (ratio.isFinite ? "\(number(ratio))×" : "∞ (a class has no example)"),
                    action: "report per-class scores (not only accuracy); reweight or resample the training data"))
        }
        let weak = facts.recallPerClass.filter { $0.recall < facts.cleanAccuracy - recallGap }
        if !weak.isEmpty {
            found.append(
                AuditFinding(
                    .medium, "performance",
                    "recall below accuracy − \(number(recallGap)) for class "
                        + weak.map { "\($0.name) (\(percent($0.recall)))" }.joined(separator: ", "),
                    action: "look at the confusion matrix for what these classes are mistaken for; more or cleaner "
                        + "examples of them"))
        }
        let ece = facts.expectedCalibrationError
        if ece > calibrationMedium {
            found.append(
                AuditFinding(
                    ece > calibrationHigh ? .high : .medium, "calibration",
                    "expected calibration error \(number(ece, digits: 3))",
                    action: "do not read the probabilities as chances; calibrate them (temperature scaling on the "
                        + "validation split) before thresholding"))
        }
        let attacked = facts.robustness.filter { $0.epsilon > 0 }
        if let worst = attacked.first(where: { $0.pgd < robustHigh * facts.cleanAccuracy }) {
            found.append(robustnessFinding(.high, worst, clean: facts.cleanAccuracy))
        } else if let weakest = attacked.first(where: { $0.pgd < robustMedium * facts.cleanAccuracy }) {
            found.append(robustnessFinding(.medium, weakest, clean: facts.cleanAccuracy))
        }
        if facts.testRows < smallTest {
            found.append(
                AuditFinding(
                    .low, "data", "only \(facts.testRows) test rows",
                    action: "the test accuracy is uncertain by several points; use a larger test split or "
                        + "cross-validation"))
        }
        if facts.fitSeed == nil {
            found.append(
                AuditFinding(
                    .low, "reproducibility", "no seed recorded for the model's training",
                    action: "train with model.fit(…, seed: n) so the run log records how to reproduce it"))
        }
        return found.enumerated().sorted { ($0.element.severity, $0.offset) < ($1.element.severity, $1.offset) }
            .map(\.element)
    }

    static func robustnessFinding(
        _ severity: AuditSeverity, _ point: (epsilon: Double, fgsm: Double, pgd: Double), clean: Double
    ) -> AuditFinding {
        AuditFinding(
            severity, "robustness",
            "PGD accuracy at ε = \(number(point.epsilon)) is \(percent(point.pgd)) (clean \(percent(clean)))",
            action: "train adversarially (fit(…, adversarial: .pgd(…))) or limit who can submit inputs; "
                + "do not deploy where inputs can be manipulated")
    }

    public static func percent(_ fraction: Double) -> String { String(format: "%.1f %%", 100 * fraction) }

    public static func number(_ value: Double, digits: Int = 2) -> String {
        value == value.rounded() && abs(value) < 1e9 ? String(Int(value)) : String(format: "%.\(digits)g", value)
    }
}
