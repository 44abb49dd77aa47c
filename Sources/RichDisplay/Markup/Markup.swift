/// Markup: escaping of user strings for XML (SVG) and HTML, and a tiny element writer.
///
/// Every string that came from a user (titles, labels, cell values) goes through `escape`
/// before it lands in SVG or HTML; numbers and colours we format ourselves do not need it.
public enum Markup {
    /// Escapes `&`, `<`, `>`, `"` and `'` so the text is safe in XML/HTML content and attributes.
    ///
    ///     Markup.escape("a < b & \"c\"")   // "a &lt; b &amp; &quot;c&quot;"
    public static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            // Control characters other than tab and newline are not allowed in XML 1.0.
            case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF:
                result += "\u{FFFD}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// A number as an SVG coordinate: at most two decimals, no trailing zeros, never `-0`.
    static func coordinate(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        if rounded == 0 { return "0" }
        if rounded == rounded.rounded() { return String(Int(rounded)) }
        var text = String(rounded)
        if text.contains("e") { text = formatFixed(rounded, decimals: 2) }
        return text
    }

    static func formatFixed(_ value: Double, decimals: Int) -> String {
        var text = String(format: "%.\(decimals)f", value)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text == "-0" ? "0" : text
    }
}
