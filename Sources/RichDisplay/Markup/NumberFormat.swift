import Foundation

/// NumberFormat: numbers as people write them: significant digits, no `0.30000000000000004`.
public enum NumberFormat {
    /// `value` rounded to `significantDigits`, trailing zeros dropped; scientific notation
    /// outside 1e-4 ..< 1e6; `NaN`, `inf` and `-inf` spelled out.
    ///
    ///     NumberFormat.format(0.1 + 0.2)          // "0.3"
    ///     NumberFormat.format(0.000012345)        // "1.234e-5"
    public static func format(_ value: Double, significantDigits: Int = 4) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        if value == 0 { return "0" }
        let digits = max(1, significantDigits)
        let magnitude = Int(floor(log10(abs(value))))
        if magnitude >= 6 || magnitude < -4 {
            return scientific(value, digits: digits)
        }
        let decimals = max(0, digits - 1 - magnitude)
        let text = Markup.formatFixed(value, decimals: decimals)
        // Rounding can carry into a new digit (999.96 → "1000"); that is still correct.
        return text
    }

    /// Scientific notation with a short exponent: `1.5e-7`, `2e+8` → `2e8`.
    static func scientific(_ value: Double, digits: Int) -> String {
        let text = String(format: "%.\(digits - 1)e", value)
        guard let split = text.firstIndex(where: { $0 == "e" || $0 == "E" }) else { return text }
        var mantissa = String(text[..<split])
        if mantissa.contains(".") {
            while mantissa.hasSuffix("0") { mantissa.removeLast() }
            if mantissa.hasSuffix(".") { mantissa.removeLast() }
        }
        let exponent = Int(text[text.index(after: split)...]) ?? 0
        return "\(mantissa)e\(exponent)"
    }

    /// An integer with no grouping: `1797`.
    public static func format(_ value: Int) -> String { String(value) }
}
