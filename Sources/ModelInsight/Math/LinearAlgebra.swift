// LinearAlgebra: the small dense solves the surrogate methods need (weighted least squares, ridge), in Double.
import Foundation

enum LinearAlgebra {
    /// Solves the symmetric system `a · x = b` (`a` n × n row-major) by Gaussian elimination with partial pivoting.
    /// A (numerically) singular system gets a tiny ridge (1e-10 · trace / n) so that it still has one answer.
    static func solve(_ a: [Double], _ b: [Double], size n: Int) -> [Double] {
        var m = a
        var x = b
        let trace = (0..<n).reduce(0.0) { $0 + abs(a[$1 * n + $1]) }
        let jitter = max(1e-300, 1e-10 * trace / Double(max(n, 1)))
        for column in 0..<n {
            var pivot = column
            for row in (column + 1)..<max(column + 1, n) where abs(m[row * n + column]) > abs(m[pivot * n + column]) {
                pivot = row
            }
            if pivot != column {
                for k in 0..<n { m.swapAt(column * n + k, pivot * n + k) }
                x.swapAt(column, pivot)
            }
            if abs(m[column * n + column]) < jitter { m[column * n + column] += jitter }
            let diagonal = m[column * n + column]
            for row in (column + 1)..<max(column + 1, n) {
                let factor = m[row * n + column] / diagonal
                if factor == 0 { continue }
                for k in column..<n { m[row * n + k] -= factor * m[column * n + k] }
                x[row] -= factor * x[column]
            }
        }
        for row in stride(from: n - 1, through: 0, by: -1) {
            var sum = x[row]
            for k in (row + 1)..<max(row + 1, n) { sum -= m[row * n + k] * x[k] }
            x[row] = sum / m[row * n + row]
        }
        return x
    }

    /// Weighted ridge regression, as scikit-learn's `Ridge(alpha:, fit_intercept: true).fit(X, y, sample_weight: w)`:
    /// the intercept is not penalised (data centred on the weighted means first).
    ///
    /// - Parameters: `x` rows × columns (row-major), `y` and `weights` one per row.
    /// - Returns: the coefficients, the intercept, and the weighted R² of the fit.
    static func weightedRidge(
        _ x: [Double], rows: Int, columns: Int, y: [Double], weights: [Double], alpha: Double
    ) -> (coefficients: [Double], intercept: Double, r2: Double) {
        let totalWeight = weights.reduce(0, +)
        var xMean = [Double](repeating: 0, count: columns)
        var yMean = 0.0
        for r in 0..<rows {
            yMean += weights[r] * y[r]
            for c in 0..<columns { xMean[c] += weights[r] * x[r * columns + c] }
        }
        yMean /= totalWeight
        for c in 0..<columns { xMean[c] /= totalWeight }
        var gram = [Double](repeating: 0, count: columns * columns)
        var moment = [Double](repeating: 0, count: columns)
        var centred = [Double](repeating: 0, count: columns)
        for r in 0..<rows {
            let w = weights[r]
            for c in 0..<columns { centred[c] = x[r * columns + c] - xMean[c] }
            let dy = y[r] - yMean
            for i in 0..<columns {
                let wi = w * centred[i]
                moment[i] += wi * dy
                for j in i..<columns { gram[i * columns + j] += wi * centred[j] }
            }
        }
        for i in 0..<columns {
            for j in 0..<i { gram[i * columns + j] = gram[j * columns + i] }
            gram[i * columns + i] += alpha
        }
        let coefficients = columns == 0 ? [] : solve(gram, moment, size: columns)
        var intercept = yMean
        for c in 0..<columns { intercept -= coefficients[c] * xMean[c] }
        var residual = 0.0
        var total = 0.0
        for r in 0..<rows {
            var prediction = intercept
            for c in 0..<columns { prediction += coefficients[c] * x[r * columns + c] }
            residual += weights[r] * (y[r] - prediction) * (y[r] - prediction)
            total += weights[r] * (y[r] - yMean) * (y[r] - yMean)
        }
        return (coefficients, intercept, total > 0 ? 1 - residual / total : 1)
    }
}

/// Quadrature on [0, 1] for path integrals (integrated gradients), as Captum offers them.
public enum QuadratureRule: String, Sendable, Hashable, CaseIterable {
    /// Gauss–Legendre nodes mapped to [0, 1] (Captum's default): exact for polynomials of degree 2·steps − 1.
    case gaussLegendre
    /// Riemann sums at the left ends, right ends or middles of `steps` equal intervals.
    case riemannLeft, riemannRight, riemannMiddle
    /// The trapezoid rule on `steps` points including both ends.
    case riemannTrapezoid

    /// The points α in [0, 1] and their weights (which sum to 1).
    public func nodes(steps: Int) -> (alphas: [Double], weights: [Double]) {
        let n = max(1, steps)
        let d = Double(n)
        switch self {
        case .gaussLegendre:
            let (x, w) = QuadratureRule.legendre(n)
            return (x.map { 0.5 * ($0 + 1) }, w.map { 0.5 * $0 })
        case .riemannLeft: return ((0..<n).map { Double($0) / d }, Array(repeating: 1 / d, count: n))
        case .riemannRight: return ((1...n).map { Double($0) / d }, Array(repeating: 1 / d, count: n))
        case .riemannMiddle: return ((0..<n).map { (Double($0) + 0.5) / d }, Array(repeating: 1 / d, count: n))
        case .riemannTrapezoid:
            guard n > 1 else { return ([0.5], [1]) }
            let h = 1 / (d - 1)
            let alphas = (0..<n).map { Double($0) * h }
            var weights = Array(repeating: h, count: n)
            weights[0] = h / 2
            weights[n - 1] = h / 2
            return (alphas, weights)
        }
    }

    /// Gauss–Legendre nodes and weights on [−1, 1] (Newton's method on Pₙ from the Chebyshev guesses), ascending.
    static func legendre(_ n: Int) -> (nodes: [Double], weights: [Double]) {
        var nodes = [Double](repeating: 0, count: n)
        var weights = [Double](repeating: 0, count: n)
        for i in 0..<(n + 1) / 2 {
            var x = cos(Double.pi * (Double(i) + 0.75) / (Double(n) + 0.5))
            var derivative = 0.0
            for _ in 0..<100 {
                var p0 = 1.0
                var p1 = x
                if n == 1 {
                    p1 = x
                } else {
                    for k in 2...n {
                        let p2 = ((2 * Double(k) - 1) * x * p1 - (Double(k) - 1) * p0) / Double(k)
                        p0 = p1
                        p1 = p2
                    }
                }
                let pn = n == 1 ? x : p1
                let pPrevious = n == 1 ? 1.0 : p0
                derivative = Double(n) * (x * pn - pPrevious) / (x * x - 1)
                let step = pn / derivative
                x -= step
                if abs(step) < 1e-15 { break }
            }
            let w = 2 / ((1 - x * x) * derivative * derivative)
            nodes[i] = -x
            nodes[n - 1 - i] = x
            weights[i] = w
            weights[n - 1 - i] = w
        }
        return (nodes, weights)
    }
}
