import Foundation

/// Ticks: "nice" axis ticks on 1-2-5 steps (linear) or powers of ten (log), with labels.
public struct Ticks: Equatable, Sendable {
    /// Tick positions in data units, ascending.
    public var values: [Double]
    /// One label per value, formatted to the step (`0.2`, `0.4`, not `0.6000000000000001`).
    public var labels: [String]
    /// The axis range the ticks cover (the ticks' outer values, or the data range when flat).
    public var lower: Double
    public var upper: Double

    /// Linear ticks covering `lower...upper`, about `target` of them, on a 1-2-5 step (at least 1
    /// when `integers`).
    ///
    ///     Ticks.linear(0.13, 2.31).labels   // ["0", "0.5", "1", "1.5", "2", "2.5"]
    public static func linear(_ lower: Double, _ upper: Double, target: Int = 6, integers: Bool = false) -> Ticks {
        var low = lower
        var high = upper
        if !low.isFinite || !high.isFinite { (low, high) = (0, 1) }
        if low > high { swap(&low, &high) }
        if low == high {
            // A flat series: open a range around the value so it sits mid-axis.
            let pad = low == 0 ? 1 : abs(low) * 0.1
            low -= pad
            high += pad
        }
        var step = niceStep((high - low) / Double(max(1, target - 1)))
        // Epochs and counts: no tick at 2.5 epochs.
        if integers { step = max(step, 1) }
        let first = floor(low / step + 1e-9)
        let last = ceil(high / step - 1e-9)
        let decimals = max(0, -Int(floor(log10(step) + 1e-9)))
        var values: [Double] = []
        var index = first
        while index <= last + 0.5 {
            // Multiply an integer count by the step, then round to the step's decimals: no drift.
            values.append(roundTo(index * step, decimals: decimals))
            index += 1
        }
        let largest = values.map(abs).max() ?? 0
        let labels: [String]
        if largest >= 1e6 {
            // One unit for the whole axis (0.4M, 0.8M, 1.2M), never 800000 beside 1.2e6.
            let (divisor, suffix) = largest >= 1e12 ? (1e12, "T") : largest >= 1e9 ? (1e9, "G") : (1e6, "M")
            let unitDecimals = max(0, -Int(floor(log10(step / divisor) + 1e-9)))
            labels = values.map { value in
                value == 0 ? "0" : typographic(Markup.formatFixed(value / divisor, decimals: unitDecimals) + suffix)
            }
        } else {
            labels = values.map { typographic(label($0, decimals: decimals, step: step)) }
        }
        return Ticks(values: values, labels: labels, lower: values.first ?? low, upper: values.last ?? high)
    }

    /// Logarithmic ticks at powers of ten covering `lower...upper` (both > 0); adds 2 and 5
    /// between them when the range spans fewer than three decades.
    public static func logarithmic(_ lower: Double, _ upper: Double) -> Ticks {
        var low = lower > 0 && lower.isFinite ? lower : 1
        var high = upper > 0 && upper.isFinite ? upper : low * 10
        if low > high { swap(&low, &high) }
        let firstPower = Int(floor(log10(low) + 1e-9))
        var lastPower = Int(ceil(log10(high) - 1e-9))
        if lastPower == firstPower { lastPower += 1 }
        let decades = lastPower - firstPower
        let stride = max(1, Int((Double(decades) / 6).rounded(.up)))
        var values: [Double] = []
        var power = firstPower
        while power <= lastPower {
            let base = pow(10, Double(power))
            values.append(base)
            if decades < 3 && power < lastPower {
                values.append(2 * base)
                values.append(5 * base)
            }
            power += stride
        }
        if let last = values.last, last < high { values.append(pow(10, Double(power))) }
        // One notation for the whole axis: 1e-5 … 1e-1 rather than 1e-5, 0.0001, 0.001.
        let scientific = values.contains { $0 < 1e-3 || $0 >= 1e5 }
        let labels = values.map { value in
            scientific
                ? NumberFormat.scientific(value, digits: 3) : NumberFormat.format(value, significantDigits: 3)
        }
        return Ticks(values: values, labels: labels, lower: values.first!, upper: values.last!)
    }

    /// The 1-2-5 number at or just above `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let exponent = floor(log10(raw))
        let base = pow(10, exponent)
        let fraction = raw / base
        let nice: Double
        if fraction <= 1.0 + 1e-9 {
            nice = 1
        } else if fraction <= 2.0 + 1e-9 {
            nice = 2
        } else if fraction <= 5.0 + 1e-9 {
            nice = 5
        } else {
            nice = 10
        }
        return nice * base
    }

    static func roundTo(_ value: Double, decimals: Int) -> Double {
        guard decimals < 15 else { return value }
        let scale = pow(10, Double(decimals))
        let result = (value * scale).rounded() / scale
        return result == 0 ? 0 : result
    }

    static func label(_ value: Double, decimals: Int, step: Double) -> String {
        if value == 0 { return "0" }
        if abs(value) >= 1e6 || step < 1e-4 {
            return NumberFormat.format(value, significantDigits: 3)
        }
        return Markup.formatFixed(value, decimals: decimals)
    }

    /// A label with a typographic minus sign (U+2212), which lines up with the digits.
    static func typographic(_ label: String) -> String {
        label.hasPrefix("-") ? "\u{2212}" + label.dropFirst() : label
    }
}
