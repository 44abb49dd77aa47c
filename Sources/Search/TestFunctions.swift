// TestFunctions: the standard black-box benchmarks (Branin, Hartmann-6) the tests and `make bench` optimize.
import Foundation

/// Synthetic objectives with known minima, for comparing samplers.
public enum TestFunctions {
    /// Branin–Hoo on x₁ ∈ [−5, 10], x₂ ∈ [0, 15]; minimum 0.397887 at three points.
    public static func branin(_ x1: Double, _ x2: Double) -> Double {
        let b = 5.1 / (4 * Double.pi * Double.pi)
        let c = 5 / Double.pi
        let t = 1 / (8 * Double.pi)
        let term = x2 - b * x1 * x1 + c * x1 - 6
        return term * term + 10 * (1 - t) * cos(x1) + 10
    }

    public static let braninMinimum = 0.397887

    /// Hartmann-6 on [0, 1]⁶; minimum −3.32237.
    public static func hartmann6(_ x: [Double]) -> Double {
        let alpha = [1.0, 1.2, 3.0, 3.2]
        let a: [[Double]] = [
            [10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14],
        ]
        let p: [[Double]] = [
            [1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
            [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381],
        ]
        var total = 0.0
        for i in 0..<4 {
            var inner = 0.0
            for j in 0..<6 {
                let d = x[j] - p[i][j] * 1e-4
                inner += a[i][j] * d * d
            }
            total += alpha[i] * exp(-inner)
        }
        return -total
    }

    public static let hartmann6Minimum = -3.32237

    /// Branin as an objective: `x1` and `x2` suggested as floats.
    public static func braninObjective(_ trial: Trial) throws -> Double {
        branin(try trial.suggestFloat("x1", -5, 10), try trial.suggestFloat("x2", 0, 15))
    }

    /// Hartmann-6 as an objective: `x0`…`x5` suggested as floats in [0, 1].
    public static func hartmann6Objective(_ trial: Trial) throws -> Double {
        hartmann6(try (0..<6).map { try trial.suggestFloat("x\($0)", 0, 1) })
    }
}
