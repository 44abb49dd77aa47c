import Foundation

/// ParallelCoordinates: one vertical axis per dimension and one polyline per row (a trial of a hyperparameter search),
/// coloured by a value (viridis, dark = low) with a colour bar. Numeric axes run from their minimum (bottom) to maximum
/// (top), linearly or in log scale; categorical axes space their categories evenly. A row missing a dimension (a
/// conditional parameter) breaks its line there.
///
///     var chart = ParallelCoordinates(title: "Parallel coordinates", colorLabel: "loss")
///     chart.numericAxis("learning rate", [0.01, 0.001, 0.1], logarithmic: true)
///     chart.categoricalAxis("activation", ["relu", "tanh", "relu"])
///     chart.colorValues = [0.31, 0.52, 0.44]
public struct ParallelCoordinates: Hashable, Sendable {
    /// One axis: its label and, per row, a position in its own units (category index for categorical axes).
    public struct Axis: Hashable, Sendable {
        public var label: String
        public var values: [Double?]
        public var categories: [String]
        public var logarithmic: Bool
    }

    public var title: String
    public var colorLabel: String
    public var axes: [Axis] = []
    /// The value that colours each row (NaN: grey).
    public var colorValues: [Double] = []
    /// Rows drawn on top, thicker (the best trial).
    public var emphasized: Set<Int> = []
    public var width = 760.0
    public var height = 420.0

    public init(title: String = "", colorLabel: String = "") {
        self.title = title
        self.colorLabel = colorLabel
    }

    /// Adds a numeric axis (`nil`: the row has no value there).
    public mutating func numericAxis(_ label: String, _ values: [Double?], logarithmic: Bool = false) {
        axes.append(Axis(label: label, values: values, categories: [], logarithmic: logarithmic))
    }

    /// Adds a categorical axis; categories appear in first-seen order unless `categories` is given.
    public mutating func categoricalAxis(_ label: String, _ values: [String?], categories: [String]? = nil) {
        var order = categories ?? []
        for value in values.compactMap({ $0 }) where !order.contains(value) { order.append(value) }
        axes.append(
            Axis(
                label: label, values: values.map { $0.flatMap { order.firstIndex(of: $0) }.map(Double.init) },
                categories: order, logarithmic: false))
    }

    var rowCount: Int { max(colorValues.count, axes.map(\.values.count).max() ?? 0) }
}

extension ParallelCoordinates: MIMERepresentable {
    public var mimeBundle: MIMEBundle { MIMEBundle(svg: svg, plainText: plainText) }

    public var plainText: String {
        var lines = ["ParallelCoordinates" + (title.isEmpty ? "" : " \"\(title)\"") + ", \(rowCount) rows"]
        for axis in axes {
            let present = axis.values.compactMap { $0 }
            if !axis.categories.isEmpty {
                lines.append("  \(axis.label): \(axis.categories.joined(separator: ", "))")
            } else if let low = present.min(), let high = present.max() {
                lines.append(
                    "  \(axis.label): \(NumberFormat.format(low))…\(NumberFormat.format(high))"
                        + (axis.logarithmic ? " (log)" : ""))
            } else {
                lines.append("  \(axis.label): no values")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// Ticks of an axis: its categories, or nice values over its range.
    func ticks(_ axis: Axis) -> Ticks {
        if !axis.categories.isEmpty {
            let count = axis.categories.count
            return Ticks(
                values: (0..<count).map(Double.init), labels: axis.categories, lower: count == 1 ? -0.5 : 0,
                upper: count == 1 ? 0.5 : Double(count - 1))
        }
        let present = axis.values.compactMap { $0 }.filter { $0.isFinite && (!axis.logarithmic || $0 > 0) }
        let low = present.min() ?? 0
        let high = present.max() ?? 1
        if axis.logarithmic {
            var ticks = Ticks.logarithmic(low, high)
            ticks.lower = low == high ? low / 2 : low
            ticks.upper = low == high ? high * 2 : high
            return ticks
        }
        var ticks = Ticks.linear(low, high, target: 5)
        ticks.lower = low == high ? low - 0.5 : low
        ticks.upper = low == high ? high + 0.5 : high
        return ticks
    }

    public var svg: String {
        var svg = SVGWriter(width: width, height: height)
        let top = title.isEmpty ? 40.0 : 56.0
        let bottom = height - 34
        let left = 60.0
        let right = width - 150
        if !title.isEmpty {
            svg.element(
                "text", [SVGWriter.x(width / 2), SVGWriter.y(24), ("text-anchor", "middle"), ("font-size", "15")],
                text: title)
        }
        let axisCount = max(axes.count, 1)
        let spacing = axisCount == 1 ? 0 : (right - left) / Double(axisCount - 1)
        let tickSets = axes.map(ticks)
        func position(_ axisIndex: Int, _ value: Double) -> Double? {
            let axis = axes[axisIndex]
            let ticks = tickSets[axisIndex]
            guard value.isFinite else { return nil }
            var (low, high, x) = (ticks.lower, ticks.upper, value)
            if axis.logarithmic {
                guard value > 0 else { return nil }
                (low, high, x) = (log10(low), log10(high), log10(value))
            }
            let fraction = high == low ? 0.5 : (x - low) / (high - low)
            return bottom - fraction * (bottom - top)
        }
        let finiteColors = colorValues.filter(\.isFinite)
        let colorLow = finiteColors.min() ?? 0
        let colorHigh = finiteColors.max() ?? 1
        func color(_ row: Int) -> String {
            guard row < colorValues.count, colorValues[row].isFinite else { return "#999999" }
            let t = colorHigh == colorLow ? 0.5 : (colorValues[row] - colorLow) / (colorHigh - colorLow)
            return Palette.viridis(t).hex
        }
        // Lines first (emphasized last, on top), then the axes over them.
        let order = (0..<rowCount).filter { !emphasized.contains($0) } + emphasized.sorted().filter { $0 < rowCount }
        for row in order {
            var segments: [[String]] = [[]]
            for axisIndex in axes.indices {
                let value = row < axes[axisIndex].values.count ? axes[axisIndex].values[row] : nil
                if let value, let y = position(axisIndex, value) {
                    let x = left + Double(axisIndex) * spacing
                    segments[segments.count - 1].append("\(Markup.coordinate(x)),\(Markup.coordinate(y))")
                } else if !segments[segments.count - 1].isEmpty {
                    segments.append([])
                }
            }
            let isEmphasized = emphasized.contains(row)
            for segment in segments where segment.count >= 2 {
                svg.element(
                    "polyline",
                    [
                        ("points", segment.joined(separator: " ")), ("fill", "none"), ("stroke", color(row)),
                        ("stroke-width", isEmphasized ? "3" : "1.2"), ("stroke-opacity", isEmphasized ? "1" : "0.7"),
                    ])
            }
            for segment in segments where segment.count == 1 {
                let parts = segment[0].split(separator: ",")
                svg.element(
                    "circle", [("cx", String(parts[0])), ("cy", String(parts[1])), ("r", "2"), ("fill", color(row))])
            }
        }
        for (axisIndex, axis) in axes.enumerated() {
            let x = left + Double(axisIndex) * spacing
            svg.element(
                "line",
                [
                    ("x1", Markup.coordinate(x)), ("y1", Markup.coordinate(top)), ("x2", Markup.coordinate(x)),
                    ("y2", Markup.coordinate(bottom)), ("stroke", "#333333"),
                ])
            svg.element(
                "text",
                [SVGWriter.x(x), SVGWriter.y(top - 10), ("text-anchor", "middle"), ("font-weight", "bold")],
                text: Self.shortened(axis.label, to: max(8, Int(spacing / 7))))
            let ticks = tickSets[axisIndex]
            for (value, label) in zip(ticks.values, ticks.labels) {
                guard value >= ticks.lower - 1e-12 * max(1, abs(value)),
                    value <= ticks.upper + 1e-12 * max(1, abs(value)), let y = position(axisIndex, value)
                else { continue }
                svg.element(
                    "line",
                    [
                        ("x1", Markup.coordinate(x - 4)), ("y1", Markup.coordinate(y)), ("x2", Markup.coordinate(x)),
                        ("y2", Markup.coordinate(y)), ("stroke", "#333333"),
                    ])
                svg.element(
                    "text",
                    [
                        SVGWriter.x(x - 6), SVGWriter.y(y + 4), ("text-anchor", "end"), ("font-size", "11"),
                        ("stroke", "#ffffff"), ("stroke-width", "3"), ("paint-order", "stroke"),
                    ], text: Self.shortened(label, to: 10))
            }
        }
        ColorBar.draw(
            into: &svg, x: width - 70, top: top, bottom: bottom, low: colorLow, high: colorHigh, label: colorLabel)
        return svg.document(title: title.isEmpty ? "Parallel coordinates" : title)
    }

    static func shortened(_ text: String, to count: Int) -> String {
        text.count <= count ? text : String(text.prefix(max(count - 1, 1))) + "…"
    }
}

/// A vertical viridis colour bar with ticks (low at the bottom), shared by the search charts.
enum ColorBar {
    static func draw(
        into svg: inout SVGWriter, x: Double, top: Double, bottom: Double, low: Double, high: Double, label: String
    ) {
        let steps = 32
        let height = (bottom - top) / Double(steps)
        for step in 0..<steps {
            let t = (Double(step) + 0.5) / Double(steps)
            let y = bottom - Double(step + 1) * height
            svg.element(
                "rect",
                [
                    SVGWriter.x(x), SVGWriter.y(y), ("width", "14"), ("height", Markup.coordinate(height + 0.5)),
                    ("fill", Palette.viridis(t).hex),
                ])
        }
        let ticks = Ticks.linear(low, high, target: 5)
        for (value, text) in zip(ticks.values, ticks.labels) where value >= low && value <= high && high > low {
            let y = bottom - (value - low) / (high - low) * (bottom - top)
            svg.element(
                "line",
                [
                    ("x1", Markup.coordinate(x + 14)), ("y1", Markup.coordinate(y)), ("x2", Markup.coordinate(x + 18)),
                    ("y2", Markup.coordinate(y)), ("stroke", "#333333"),
                ])
            svg.element("text", [SVGWriter.x(x + 20), SVGWriter.y(y + 4), ("font-size", "11")], text: text)
        }
        if high == low {
            svg.element(
                "text", [SVGWriter.x(x + 20), SVGWriter.y((top + bottom) / 2 + 4), ("font-size", "11")],
                text: NumberFormat.format(low))
        }
        if !label.isEmpty {
            svg.element(
                "text", [SVGWriter.x(x + 7), SVGWriter.y(top - 10), ("text-anchor", "middle")], text: label)
        }
    }
}
