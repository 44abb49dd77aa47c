// Normal: the standard normal density, distribution function (and its logarithm, accurate in the tails) and quantile
// function, in Double.
import Foundation

enum Normal {
    static let logSqrt2Pi = 0.5 * Foundation.log(2 * Double.pi)

    /// φ(z).
    static func pdf(_ z: Double) -> Double { Foundation.exp(-0.5 * z * z - logSqrt2Pi) }

    /// log φ(z).
    static func logPDF(_ z: Double) -> Double { -0.5 * z * z - logSqrt2Pi }

    /// Φ(z), through erfc so that the lower tail keeps its relative accuracy.
    static func cdf(_ z: Double) -> Double { 0.5 * Foundation.erfc(-z / 2.0.squareRoot()) }

    /// log Φ(z): erfc down to z = −30, then the asymptotic series (Abramowitz & Stegun 26.2.12).
    static func logCDF(_ z: Double) -> Double {
        if z > -30 { return Foundation.log(cdf(z)) }
        let z2 = z * z
        let series = 1 - 1 / z2 + 3 / (z2 * z2) - 15 / (z2 * z2 * z2)
        return logPDF(z) - Foundation.log(-z) + Foundation.log(series)
    }

    /// Φ⁻¹(p) for p in (0, 1): Acklam's rational approximation refined by one Halley step (relative error ~1e-15).
    static func quantile(_ p: Double) -> Double {
        if p <= 0 { return -.infinity }
        if p >= 1 { return .infinity }
        let a = [
            -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
            -3.066479806614716e+01, 2.506628277459239e+00,
        ]
        let b = [
            -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
            -1.328068155288572e+01,
        ]
        let c = [
            -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
            4.374664141464968e+00, 2.938163982698783e+00,
        ]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let low = 0.02425
        var x: Double
        if p < low {
            let q = (-2 * Foundation.log(p)).squareRoot()
            x =
                (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        } else if p <= 1 - low {
            let q = p - 0.5
            let r = q * q
            x =
                (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
                / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
        } else {
            let q = (-2 * Foundation.log(1 - p)).squareRoot()
            x =
                -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        let e = cdf(x) - p
        let u = e * (2 * Double.pi).squareRoot() * Foundation.exp(x * x / 2)
        x -= u / (1 + x * u / 2)
        return x
    }

    /// log(Φ(b) − Φ(a)) for a < b, accurate when both are in the same tail.
    static func logMass(_ a: Double, _ b: Double) -> Double {
        if a >= b { return -.infinity }
        if a > 0 { return logMass(-b, -a) }  // symmetry keeps both in the lower tail
        let logB = logCDF(b)
        let logA = logCDF(a)
        // log(e^logB − e^logA) = logB + log1p(−e^(logA−logB))
        return logB + Foundation.log1p(-Foundation.exp(logA - logB))
    }

    /// log of h(z) = z Φ(z) + φ(z), expected improvement's shape; for z < −6 through Mills' ratio,
    /// h(z) = φ(z) (1 − x R(x)) with x = −z, so the cancellation of z Φ(z) against φ(z) never happens in Φ's tail.
    static func logH(_ z: Double) -> Double {
        if z > -6 { return Foundation.log(z * cdf(z) + pdf(z)) }
        let x = -z
        return logPDF(z) + Foundation.log1p(-x * millsRatio(x))
    }

    /// R(x) = Φ(−x) / φ(x) for x > 0 by Laplace's continued fraction 1/(x + 1/(x + 2/(x + 3/(x + …)))), evaluated
    /// backwards (converges fast for x ≥ 2).
    static func millsRatio(_ x: Double) -> Double {
        var t = x
        for k in stride(from: 80, through: 1, by: -1) { t = x + Double(k) / t }
        return 1 / t
    }
}
