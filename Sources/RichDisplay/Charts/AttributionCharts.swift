import Foundation

/// AttributionCharts: the pictures of model explanations: a waterfall from a base value to a prediction, horizontal
/// bars (mean |attribution| per feature), and a beeswarm (every row's attribution per feature, coloured by the
/// feature's value). Red pushes the output up, blue down (Tol's sunset ends).
///
///     WaterfallChart(base: 0.33, steps: [("petal length", 0.41), ("sepal width", -0.05)],
///                    title: "why versicolor", x: "output").svg
public struct WaterfallChart: Hashable, Sendable {
    public var base: Double
    /// One bar per step, drawn top to bottom; the bottom step starts at `base`, each next one where the previous ended.
    public var steps: [Step]
    public var title: String
    public var xLabel: String
    /// Names of the two ends, drawn at their reference lines.
    public var baseLabel: String
    public var finalLabel: String
    public var width: Double = 640

    public struct Step: Hashable, Sendable {
        public var label: String
        public var value: Double
        public init(_ label: String, _ value: Double) {
            self.label = label
            self.value = value
        }
    }

    public init(
        base: Double, steps: [(String, Double)], title: String = "", x: String = "", baseLabel: String = "E[f(x)]",
        finalLabel: String = "f(x)"
    ) {
        self.base = base
        self.steps = steps.map { Step($0.0, $0.1) }
        self.title = title
        self.xLabel = x
        self.baseLabel = baseLabel
        self.finalLabel = finalLabel
    }

    /// base + Σ steps.
    public var final: Double { steps.reduce(base) { $0 + $1.value } }
}

/// The horizontal value axis the attribution charts share: about six ticks over the values, grid lines from the top of
/// the rows down to the axis, tick labels under it, the axis title below them.
struct ValueAxis {
    let ticks: Ticks
    let left: Double
    let right: Double

    init(from low: Double, to high: Double, left: Double, right: Double) {
        self.ticks = Ticks.linear(low, high, target: 6)
        self.left = left
        self.right = right
    }

    /// The pixel column of `value`.
    func x(_ value: Double) -> Double {
        ticks.upper == ticks.lower
            ? (left + right) / 2 : left + (value - ticks.lower) / (ticks.upper - ticks.lower) * (right - left)
    }

    /// Grid lines (zero darker when `zeroLine`), the axis line at `axisY`, tick labels and the axis title.
    func draw(_ svg: inout SVGWriter, top: Double, axisY: Double, label: String, zeroLine: Bool = false) {
        for (value, text) in zip(ticks.values, ticks.labels) {
            let position = x(value)
            svg.element(
                "line",
                [
                    ("x1", Markup.coordinate(position)), ("y1", Markup.coordinate(top)),
                    ("x2", Markup.coordinate(position)), ("y2", Markup.coordinate(axisY)),
                    ("stroke", zeroLine && value == 0 ? Palette.axis : Palette.grid),
                ])
            svg.element(
                "text",
                [SVGWriter.x(position), SVGWriter.y(axisY + 16), ("text-anchor", "middle"), ("fill", Palette.axis)],
                text: text)
        }
        svg.element(
            "line",
            [
                ("x1", Markup.coordinate(left)), ("y1", Markup.coordinate(axisY)), ("x2", Markup.coordinate(right)),
                ("y2", Markup.coordinate(axisY)), ("stroke", Palette.axis),
            ])
        if !label.isEmpty {
            svg.element(
                "text",
                [
                    SVGWriter.x((left + right) / 2), SVGWriter.y(axisY + 32), ("text-anchor", "middle"),
                    ("fill", Palette.text),
                ], text: label)
        }
    }
}

extension SVGWriter {
    /// A bold 15px title centred over the image, shortened to its width; nothing when `title` is empty.
    mutating func chartTitle(_ title: String, width: Double) {
        guard !title.isEmpty else { return }
        let placed = PlotLayout.placeTitle(title, center: width / 2, width: width)
        element(
            "text",
            [
                SVGWriter.x(placed.x), SVGWriter.y(22), ("text-anchor", "middle"), ("font-size", "15"),
                ("font-weight", "bold"), ("fill", Palette.text),
            ], text: placed.text)
    }

    /// A row's label, right-aligned to `x`, shortened with "…".
    mutating func rowLabel(_ text: String, x: Double, y: Double) {
        element(
            "text", [SVGWriter.x(x), SVGWriter.y(y), ("text-anchor", "end"), ("fill", Palette.text)],
            text: PlotLayout.shortened(text))
    }
}

/// Colours of signed contributions.
enum AttributionColors {
    static let positive = "#dd3d2d"
    static let negative = "#4a7bb7"
    static func color(_ value: Double) -> String { value >= 0 ? positive : negative }
}

extension WaterfallChart: MIMERepresentable {
    public var mimeBundle: MIMEBundle { MIMEBundle(svg: svg, plainText: plainText) }

    public var plainText: String {
        var text = "Waterfall" + (title.isEmpty ? "" : " \"\(title)\"")
        text += ": \(baseLabel) = \(NumberFormat.format(base)) → \(finalLabel) = \(NumberFormat.format(final))"
        for step in steps {
            text += "\n  \(step.value >= 0 ? "+" : "−")\(NumberFormat.format(abs(step.value)))  \(step.label)"
        }
        return text
    }

    public var svg: String {
        let rowHeight = 24.0
        let labelWidth = min(220, max(60, (steps.map { PlotLayout.textWidth($0.label) }.max() ?? 40) + 16))
        let titleHeight = title.isEmpty ? 12.0 : 36.0
        let plotTop = titleHeight + 18
        let plotHeight = Double(max(1, steps.count)) * rowHeight
        let height = plotTop + plotHeight + 58 + (xLabel.isEmpty ? 0 : 16)
        let left = labelWidth
        let right = width - 70
        // Cumulative ends from the bottom step up.
        var starts = [Double](repeating: 0, count: steps.count)
        var running = base
        for index in steps.indices.reversed() {
            starts[index] = running
            running += steps[index].value
        }
        var extremes = [base, final]
        for (index, step) in steps.enumerated() { extremes += [starts[index], starts[index] + step.value] }
        let axis = ValueAxis(from: extremes.min() ?? 0, to: extremes.max() ?? 1, left: left, right: right)
        let px = axis.x
        var svg = SVGWriter(width: width, height: height.rounded(.up))
        svg.chartTitle(title, width: width)
        let axisY = plotTop + plotHeight + 6
        axis.draw(&svg, top: plotTop - 4, axisY: axisY, label: xLabel)
        // The two ends as dashed reference lines, labelled below the axis (base) and above the bars (final).
        for (value, label, y, anchorBelow) in [
            (base, "\(baseLabel) = \(NumberFormat.format(base))", axisY, true),
            (final, "\(finalLabel) = \(NumberFormat.format(final))", plotTop - 4, false),
        ] {
            let x = px(value)
            svg.element(
                "line",
                [
                    ("x1", Markup.coordinate(x)), ("y1", Markup.coordinate(plotTop - 4)), ("x2", Markup.coordinate(x)),
                    ("y2", Markup.coordinate(axisY)), ("stroke", Palette.reference), ("stroke-dasharray", "4 3"),
                ])
            let anchor = x > right - 60 ? "end" : (x < left + 60 ? "start" : "middle")
            svg.element(
                "text",
                [
                    SVGWriter.x(x), SVGWriter.y(anchorBelow ? y + (xLabel.isEmpty ? 34 : 50) : y - 6),
                    ("text-anchor", anchor), ("fill", Palette.text), ("font-weight", "bold"),
                ], text: label)
        }
        for (index, step) in steps.enumerated() {
            let y = plotTop + Double(index) * rowHeight
            let x0 = px(starts[index])
            let x1 = px(starts[index] + step.value)
            let color = AttributionColors.color(step.value)
            svg.rowLabel(step.label, x: left - 8, y: y + rowHeight / 2 + 4)
            svg.element(
                "rect",
                [
                    SVGWriter.x(min(x0, x1)), SVGWriter.y(y + 4), ("width", Markup.coordinate(max(1, abs(x1 - x0)))),
                    ("height", Markup.coordinate(rowHeight - 8)), ("fill", color),
                ])
            if index + 1 < steps.count {
                // A thin connector to the next bar's start (this bar's start).
                svg.element(
                    "line",
                    [
                        ("x1", Markup.coordinate(x0)), ("y1", Markup.coordinate(y + rowHeight - 4)),
                        ("x2", Markup.coordinate(x0)), ("y2", Markup.coordinate(y + rowHeight + 4)),
                        ("stroke", "#999999"),
                    ])
            }
            let text = (step.value >= 0 ? "+" : "−") + NumberFormat.format(abs(step.value), significantDigits: 3)
            let outside = max(x0, x1) + 4
            svg.element(
                "text",
                [
                    SVGWriter.x(step.value >= 0 ? outside : min(x0, x1) - 4), SVGWriter.y(y + rowHeight / 2 + 4),
                    ("text-anchor", step.value >= 0 ? "start" : "end"), ("fill", color), ("font-size", "11"),
                ], text: text)
        }
        return svg.document(title: title.isEmpty ? "waterfall" : title)
    }
}

/// Horizontal bars with labels on the left, drawn top to bottom as given (e.g. mean |attribution| per feature).
public struct BarList: Hashable, Sendable {
    public var labels: [String]
    public var values: [Double]
    public var title: String
    public var xLabel: String
    public var color: String
    public var width: Double = 640

    public init(_ values: [Double], labels: [String], title: String = "", x: String = "", color: String = "#0072B2") {
        self.values = values
        self.labels = labels
        self.title = title
        self.xLabel = x
        self.color = color
    }
}

extension BarList: MIMERepresentable {
    public var mimeBundle: MIMEBundle { MIMEBundle(svg: svg, plainText: plainText) }

    public var plainText: String {
        var text = "BarList" + (title.isEmpty ? "" : " \"\(title)\"")
        for (index, value) in values.enumerated() {
            text += "\n  \(NumberFormat.format(value))  \(index < labels.count ? labels[index] : String(index))"
        }
        return text
    }

    public var svg: String {
        let rowHeight = 22.0
        let labelWidth = min(220, max(60, (labels.map { PlotLayout.textWidth($0) }.max() ?? 40) + 16))
        let titleHeight = title.isEmpty ? 12.0 : 36.0
        let plotTop = titleHeight + 4
        let plotHeight = Double(max(1, values.count)) * rowHeight
        let height = plotTop + plotHeight + 34 + (xLabel.isEmpty ? 0 : 16)
        let left = labelWidth
        let right = width - 60
        let finite = values.filter(\.isFinite)
        let axis = ValueAxis(from: min(0, finite.min() ?? 0), to: max(0, finite.max() ?? 1), left: left, right: right)
        let px = axis.x
        var svg = SVGWriter(width: width, height: height.rounded(.up))
        svg.chartTitle(title, width: width)
        let axisY = plotTop + plotHeight + 4
        axis.draw(&svg, top: plotTop, axisY: axisY, label: xLabel, zeroLine: true)
        for (index, value) in values.enumerated() where value.isFinite {
            let y = plotTop + Double(index) * rowHeight
            let x0 = px(0)
            let x1 = px(value)
            svg.rowLabel(index < labels.count ? labels[index] : String(index), x: left - 8, y: y + rowHeight / 2 + 4)
            svg.element(
                "rect",
                [
                    SVGWriter.x(min(x0, x1)), SVGWriter.y(y + 3), ("width", Markup.coordinate(max(1, abs(x1 - x0)))),
                    ("height", Markup.coordinate(rowHeight - 6)), ("fill", color),
                ])
            svg.element(
                "text",
                [
                    SVGWriter.x(max(x0, x1) + 4), SVGWriter.y(y + rowHeight / 2 + 4), ("fill", Palette.text),
                    ("font-size", "11"),
                ], text: NumberFormat.format(value, significantDigits: 3))
        }
        return svg.document(title: title.isEmpty ? "bars" : title)
    }
}

/// A beeswarm: one row per feature, one dot per explained example at its attribution, coloured by the feature's value
/// in that example (blue low, red high; gray when unknown). Dots that would overlap are stacked around the row's
/// centre line.
public struct BeeswarmChart: Hashable, Sendable {
    public struct Row: Hashable, Sendable {
        public var label: String
        /// Attributions (x positions).
        public var values: [Double]
        /// The feature's values, for colour (scaled to the row's own min…max); empty for gray dots.
        public var featureValues: [Double]
        public init(label: String, values: [Double], featureValues: [Double] = []) {
            self.label = label
            self.values = values
            self.featureValues = featureValues
        }
    }

    public var rows: [Row]
    public var title: String
    public var xLabel: String
    public var width: Double = 680

    public init(_ rows: [Row], title: String = "", x: String = "") {
        self.rows = rows
        self.title = title
        self.xLabel = x
    }
}

extension BeeswarmChart: MIMERepresentable {
    public var mimeBundle: MIMEBundle { MIMEBundle(svg: svg, plainText: plainText) }

    public var plainText: String {
        var text = "Beeswarm" + (title.isEmpty ? "" : " \"\(title)\"") + ": \(rows.count) features"
        for row in rows {
            let finite = row.values.filter(\.isFinite)
            text += "\n  \(row.label): \(finite.count) points, \(NumberFormat.format(finite.min() ?? .nan))…"
            text += NumberFormat.format(finite.max() ?? .nan)
        }
        return text
    }

    public var svg: String {
        let rowHeight = 30.0
        let labelWidth = min(220, max(60, (rows.map { PlotLayout.textWidth($0.label) }.max() ?? 40) + 16))
        let titleHeight = title.isEmpty ? 12.0 : 36.0
        let plotTop = titleHeight + 4
        let plotHeight = Double(max(1, rows.count)) * rowHeight
        let height = plotTop + plotHeight + 40 + (xLabel.isEmpty ? 0 : 16)
        let left = labelWidth
        let right = width - 90
        let all = rows.flatMap(\.values).filter(\.isFinite)
        let axis = ValueAxis(from: min(0, all.min() ?? 0), to: max(0, all.max() ?? 1), left: left, right: right)
        let px = axis.x
        var svg = SVGWriter(width: width, height: height.rounded(.up))
        svg.chartTitle(title, width: width)
        let axisY = plotTop + plotHeight + 4
        axis.draw(&svg, top: plotTop, axisY: axisY, label: xLabel, zeroLine: true)
        let radius = 2.6
        for (index, row) in rows.enumerated() {
            let centre = plotTop + (Double(index) + 0.5) * rowHeight
            svg.rowLabel(row.label, x: left - 8, y: centre + 4)
            let colours = row.featureValues.filter(\.isFinite)
            let low = colours.min() ?? 0
            let high = colours.max() ?? 1
            // Swarm: dots in the same horizontal bin stack alternately above and below the centre line.
            var occupancy: [Int: Int] = [:]
            let order = row.values.indices.filter { row.values[$0].isFinite }.sorted { row.values[$0] < row.values[$1] }
            for point in order {
                let x = px(row.values[point])
                let bin = Int((x / (radius * 2)).rounded())
                let k = occupancy[bin, default: 0]
                occupancy[bin] = k + 1
                let offset = Double((k + 1) / 2) * radius * 1.6 * (k % 2 == 0 ? 1 : -1)
                let y = centre + max(-rowHeight / 2 + radius, min(rowHeight / 2 - radius, offset))
                var fill = "#888888"
                if point < row.featureValues.count, row.featureValues[point].isFinite {
                    let t = high > low ? (row.featureValues[point] - low) / (high - low) : 0.5
                    fill = Palette.sunset(0.05 + 0.9 * t).hex
                }
                svg.element(
                    "circle",
                    [
                        ("cx", Markup.coordinate(x)), ("cy", Markup.coordinate(y)), ("r", Markup.coordinate(radius)),
                        ("fill", fill), ("fill-opacity", "0.85"),
                    ])
            }
        }
        // Colour key: feature value low → high.
        let keyX = right + 30
        let keyTop = plotTop + 8
        let keyHeight = min(120, plotHeight - 16)
        if keyHeight > 20 {
            for step in 0..<20 {
                let t = 1 - Double(step) / 19
                svg.element(
                    "rect",
                    [
                        SVGWriter.x(keyX), SVGWriter.y(keyTop + Double(step) * keyHeight / 20),
                        ("width", "10"), ("height", Markup.coordinate(keyHeight / 20 + 0.5)),
                        ("fill", Palette.sunset(0.05 + 0.9 * t).hex),
                    ])
            }
            svg.element(
                "text", [SVGWriter.x(keyX + 14), SVGWriter.y(keyTop + 9), ("font-size", "11"), ("fill", Palette.axis)],
                text: "high")
            svg.element(
                "text",
                [SVGWriter.x(keyX + 14), SVGWriter.y(keyTop + keyHeight), ("font-size", "11"), ("fill", Palette.axis)],
                text: "low")
            svg.element(
                "text",
                [
                    SVGWriter.x(keyX + 5), SVGWriter.y(keyTop + keyHeight + 16), ("text-anchor", "middle"),
                    ("font-size", "11"), ("fill", Palette.axis),
                ], text: "value")
        }
        return svg.document(title: title.isEmpty ? "beeswarm" : title)
    }
}
