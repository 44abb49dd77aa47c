// AttackResult: what an attack did: the adversarial rows, predictions before and after, and the summary numbers.
import Foundation

/// The outcome of an attack on `count` rows: the adversarial rows, the model's predictions on the clean and the
/// adversarial rows, and the figures a reviewer reads (accuracy before and after, success rate, perturbation size).
public struct AttackResult: Sendable {
    public let method: AttackMethod
    public let goal: AttackGoal
    public let validRange: ClosedRange<Double>?
    /// One row's shape as the model takes it.
    public let inputShape: [Int]
    /// The clean rows, flat (`count × featureCount`).
    public let inputs: [Float]
    /// The adversarial rows, flat, within the valid range and the ε-ball around each clean row.
    public let adversarial: [Float]
    /// The classes accuracy is measured against: the given labels, or the clean predictions when none were given.
    public let labels: [Int]
    public let labelsGiven: Bool
    /// The target class of each row for a targeted attack.
    public let targets: [Int]?
    public let cleanPredictions: [Int]
    public let adversarialPredictions: [Int]

    public var count: Int { labels.count }
    public var featureCount: Int { inputShape.reduce(1, *) }

    /// The fraction of clean rows classified as their label.
    public var cleanAccuracy: Double { Self.fraction(zip(cleanPredictions, labels).filter { $0 == $1 }.count, count) }
    /// The fraction of adversarial rows classified as their label (the robust accuracy at this ε).
    public var adversarialAccuracy: Double {
        Self.fraction(zip(adversarialPredictions, labels).filter { $0 == $1 }.count, count)
    }

    /// Untargeted: of the rows the model classified correctly, the fraction the attack made it misclassify.
    /// Targeted: of the rows whose label is not the target, the fraction now classified as the target.
    public var successRate: Double {
        if let targets {
            let eligible = (0..<count).filter { labels[$0] != targets[$0] }
            return Self.fraction(eligible.filter { adversarialPredictions[$0] == targets[$0] }.count, eligible.count)
        }
        let eligible = (0..<count).filter { cleanPredictions[$0] == labels[$0] }
        return Self.fraction(eligible.filter { adversarialPredictions[$0] != labels[$0] }.count, eligible.count)
    }

    /// max |x′ − x| of each row.
    public var perturbationLInfinity: [Double] {
        rowNorms { deltas in deltas.reduce(0) { max($0, abs($1)) } }
    }

    /// ‖x′ − x‖₂ of each row.
    public var perturbationL2: [Double] {
        rowNorms { deltas in deltas.reduce(0) { $0 + $1 * $1 }.squareRoot() }
    }

    /// The mean perturbation norm over the rows, in the attack's norm.
    public var meanPerturbation: Double {
        let norms = method.norm == .lInfinity ? perturbationLInfinity : perturbationL2
        return norms.isEmpty ? 0 : norms.reduce(0, +) / Double(norms.count)
    }

    /// The adversarial row `index`, flat.
    public func adversarialRow(_ index: Int) -> ArraySlice<Float> {
        adversarial[(index * featureCount)..<((index + 1) * featureCount)]
    }

    private func rowNorms(_ norm: ([Double]) -> Double) -> [Double] {
        let d = featureCount
        return (0..<count).map { row in
            norm((0..<d).map { Double(adversarial[row * d + $0]) - Double(inputs[row * d + $0]) })
        }
    }

    static func fraction(_ part: Int, _ whole: Int) -> Double { whole == 0 ? 0 : Double(part) / Double(whole) }
}
