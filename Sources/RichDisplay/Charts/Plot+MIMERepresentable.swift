/// Plot+MIMERepresentable: the SVG and a plain-text summary of each series.
extension Plot: MIMERepresentable {
    public var mimeBundle: MIMEBundle {
        MIMEBundle(svg: svg, plainText: plainText)
    }

    /// A summary a terminal can show: the title and, per series, its size, range and last value.
    ///
    ///     Plot "Loss per epoch" (epoch vs cross-entropy)
    ///       train: line, 30 points, y 0.1201…2.301, last 0.1301
    public var plainText: String {
        var header = "Plot"
        if !title.isEmpty { header += " \"\(title)\"" }
        if !xLabel.isEmpty || !yLabel.isEmpty { header += " (\(xLabel) vs \(yLabel))" }
        var lines = [header]
        if series.isEmpty { lines.append("  (no data)") }
        for (index, entry) in series.enumerated() {
            let name = entry.label ?? "series \(index + 1)"
            let finite = entry.y.filter(\.isFinite)
            var line = "  \(name): \(entry.kind.rawValue)"
            switch entry.kind {
            case .histogram:
                line += ", \(entry.y.count) bins, \(Int(finite.reduce(0, +))) values"
            case .bar:
                let pairs = zip(entry.categories, entry.y).map { "\($0) \(NumberFormat.format($1))" }
                line += ", " + pairs.joined(separator: ", ")
            default:
                line += ", \(entry.y.count) points"
                if let low = finite.min(), let high = finite.max() {
                    line += ", y \(NumberFormat.format(low))…\(NumberFormat.format(high))"
                }
                if entry.kind == .line, let last = entry.y.last {
                    line += ", last \(NumberFormat.format(last))"
                }
            }
            lines.append(line)
        }
        for reference in references {
            let axis = reference.axis == .x ? "x" : "y"
            let label = reference.label.map { " (\($0))" } ?? ""
            lines.append("  mark \(axis) = \(NumberFormat.format(reference.value))\(label)")
        }
        return lines.joined(separator: "\n")
    }
}
