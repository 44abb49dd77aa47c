// LinearAlgebra: the little dense algebra the Gaussian process needs (Cholesky with jitter, triangular solves,
// the inverse from the factor), on row-major [Double].
import Foundation

/// A lower-triangular Cholesky factor of a symmetric positive definite n × n matrix.
struct Cholesky {
    let n: Int
    /// Row-major L with A = L Lᵀ.
    let factor: [Double]

    /// Factors `matrix`; adds jitter to the diagonal (1e-10, 1e-8, … of the mean diagonal) until it succeeds.
    init?(_ matrix: [Double], n: Int) {
        let meanDiagonal = (0..<n).reduce(0.0) { $0 + matrix[$1 * n + $1] } / Double(max(n, 1))
        for jitter in [0, 1e-10, 1e-8, 1e-6, 1e-4] {
            if let factor = Self.factor(matrix, n: n, jitter: jitter * max(meanDiagonal, 1e-12)) {
                self.n = n
                self.factor = factor
                return
            }
        }
        return nil
    }

    private static func factor(_ a: [Double], n: Int, jitter: Double) -> [Double]? {
        var l = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0...i {
                var sum = a[i * n + j] + (i == j ? jitter : 0)
                for k in 0..<j { sum -= l[i * n + k] * l[j * n + k] }
                if i == j {
                    guard sum > 0, sum.isFinite else { return nil }
                    l[i * n + i] = sum.squareRoot()
                } else {
                    l[i * n + j] = sum / l[j * n + j]
                }
            }
        }
        return l
    }

    /// Solves L x = b.
    func solveLower(_ b: [Double]) -> [Double] {
        var x = b
        for i in 0..<n {
            var sum = x[i]
            for k in 0..<i { sum -= factor[i * n + k] * x[k] }
            x[i] = sum / factor[i * n + i]
        }
        return x
    }

    /// Solves Lᵀ x = b.
    func solveUpper(_ b: [Double]) -> [Double] {
        var x = b
        for i in stride(from: n - 1, through: 0, by: -1) {
            var sum = x[i]
            for k in (i + 1)..<n { sum -= factor[k * n + i] * x[k] }
            x[i] = sum / factor[i * n + i]
        }
        return x
    }

    /// Solves A x = b.
    func solve(_ b: [Double]) -> [Double] { solveUpper(solveLower(b)) }

    /// log det A = 2 Σ log Lᵢᵢ.
    var logDeterminant: Double { (0..<n).reduce(0) { $0 + 2 * Foundation.log(factor[$1 * n + $1]) } }

    /// A⁻¹, row-major.
    var inverse: [Double] {
        var result = [Double](repeating: 0, count: n * n)
        for column in 0..<n {
            var e = [Double](repeating: 0, count: n)
            e[column] = 1
            let x = solve(e)
            for row in 0..<n { result[row * n + column] = x[row] }
        }
        return result
    }
}

/// Limited-memory BFGS (Nocedal & Wright, algorithm 7.4) with a backtracking Armijo line search, minimising `f`
/// inside a box: steps are projected onto the bounds and components pinned at a bound are frozen.
enum LBFGS {
    static func minimize(
        _ start: [Double], lower: [Double]? = nil, upper: [Double]? = nil, iterations: Int = 100,
        memory: Int = 8, tolerance: Double = 1e-7, function: ([Double]) -> (value: Double, gradient: [Double])
    ) -> (x: [Double], value: Double) {
        let count = start.count
        func project(_ x: [Double]) -> [Double] {
            var x = x
            for i in 0..<count {
                if let lower { x[i] = max(x[i], lower[i]) }
                if let upper { x[i] = min(x[i], upper[i]) }
            }
            return x
        }
        func freeMask(_ x: [Double], _ gradient: [Double]) -> [Bool] {
            (0..<count).map { i in
                if let lower, x[i] <= lower[i], gradient[i] > 0 { return false }
                if let upper, x[i] >= upper[i], gradient[i] < 0 { return false }
                return true
            }
        }
        var x = project(start)
        var (value, gradient) = function(x)
        guard value.isFinite else { return (x, value) }
        var sHistory: [[Double]] = []
        var yHistory: [[Double]] = []
        for _ in 0..<iterations {
            let free = freeMask(x, gradient)
            var q = (0..<count).map { free[$0] ? gradient[$0] : 0 }
            if q.reduce(0, { $0 + $1 * $1 }).squareRoot() < tolerance { break }
            var alphas: [Double] = []
            for (s, y) in zip(sHistory, yHistory).reversed() {
                let rho = 1 / dot(y, s)
                let alpha = rho * dot(s, q)
                alphas.append(alpha)
                for i in 0..<count { q[i] -= alpha * y[i] }
            }
            if let s = sHistory.last, let y = yHistory.last {
                let gamma = dot(s, y) / dot(y, y)
                for i in 0..<count { q[i] *= gamma }
            } else {
                let norm = q.reduce(0, { $0 + $1 * $1 }).squareRoot()
                for i in 0..<count { q[i] /= max(norm, 1) }
            }
            for ((s, y), alpha) in zip(zip(sHistory, yHistory), alphas.reversed()) {
                let rho = 1 / dot(y, s)
                let beta = rho * dot(y, q)
                for i in 0..<count { q[i] += s[i] * (alpha - beta) }
            }
            var direction = (0..<count).map { free[$0] ? -q[$0] : 0 }
            var slope = dot(direction, gradient)
            if !(slope < 0) {
                direction = (0..<count).map { free[$0] ? -gradient[$0] : 0 }
                slope = dot(direction, gradient)
                sHistory.removeAll()
                yHistory.removeAll()
                if !(slope < 0) { break }
            }
            var step = 1.0
            var accepted: (x: [Double], value: Double, gradient: [Double])?
            for _ in 0..<30 {
                let candidate = project((0..<count).map { x[$0] + step * direction[$0] })
                let (candidateValue, candidateGradient) = function(candidate)
                let moved = (0..<count).reduce(0.0) { $0 + (candidate[$1] - x[$1]) * gradient[$1] }
                if candidateValue.isFinite, candidateValue <= value + 1e-4 * min(moved, 0) {
                    accepted = (candidate, candidateValue, candidateGradient)
                    break
                }
                step *= 0.5
            }
            guard let accepted else { break }
            let s = (0..<count).map { accepted.x[$0] - x[$0] }
            let y = (0..<count).map { accepted.gradient[$0] - gradient[$0] }
            let improvement = value - accepted.value
            x = accepted.x
            value = accepted.value
            gradient = accepted.gradient
            if dot(s, y) > 1e-12 {
                sHistory.append(s)
                yHistory.append(y)
                if sHistory.count > memory {
                    sHistory.removeFirst()
                    yHistory.removeFirst()
                }
            }
            if improvement < 1e-10 * max(1, abs(value)) { break }
        }
        return (x, value)
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var sum = 0.0
        for i in a.indices { sum += a[i] * b[i] }
        return sum
    }
}
