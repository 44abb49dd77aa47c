import Foundation
import NeuralNetworks
import TensorCore
import Testing

@testable import ModelInsight

/// Shared fixtures: small functions with known Shapley values, a seeded background, a brute-force reference.
enum Fixtures {
    /// Rows of normal draws from a seed (Box–Muller on the engine's generator).
    static func rows(_ count: Int, _ features: Int, seed: UInt64, scale: Double = 1) -> [[Double]] {
        var random = SeededRandom(seed: seed)
        return (0..<count).map { _ in (0..<features).map { _ in random.normal() * scale } }
    }

    /// A function with interactions: products, a max and a square, two outputs.
    static var interacting: ModelFunction {
        ModelFunction(featureCount: 5, outputCount: 2) { rows in
            rows.map { (x: [Double]) -> [Double] in
                let first: Double = x[0] * x[1] + 2 * x[2] - x[3] * x[3] + max(x[0], x[4])
                let second: Double = sin(x[0]) * x[2] + x[1] * x[3] * x[4]
                return [first, second]
            }
        }
    }

    /// Shapley values by their definition: the mean marginal contribution over all d! orderings, with v(S) the mean
    /// over background rows of f with the features in S taken from x. Independent of the coalition-weight formula.
    static func bruteForceShapley(
        _ f: ([Double]) -> Double, x: [Double], background: [[Double]]
    ) -> [Double] {
        let d = x.count
        func v(_ set: Set<Int>) -> Double {
            background.reduce(0) { sum, b in
                sum + f((0..<d).map { set.contains($0) ? x[$0] : b[$0] })
            } / Double(background.count)
        }
        var phi = [Double](repeating: 0, count: d)
        var orderings = 0
        func permute(_ prefix: [Int], _ rest: [Int]) {
            if rest.isEmpty {
                orderings += 1
                var set = Set<Int>()
                var previous = v(set)
                for j in prefix {
                    set.insert(j)
                    let current = v(set)
                    phi[j] += current - previous
                    previous = current
                }
                return
            }
            for (i, j) in rest.enumerated() {
                var remaining = rest
                remaining.remove(at: i)
                permute(prefix + [j], remaining)
            }
        }
        permute([], Array(0..<d))
        return phi.map { $0 / Double(orderings) }
    }

    static func maxDifference(_ a: [Double], _ b: [Double]) -> Double {
        zip(a, b).map { abs($0 - $1) }.max() ?? 0
    }

    /// A small MLP (5 → 16 tanh → 3) with weights from a seed.
    static func mlp(seed: UInt64 = 3) throws -> Sequential {
        try Sequential([Dense(5, 16, activation: .tanh), Dense(16, 3)], seed: seed)
    }
}
