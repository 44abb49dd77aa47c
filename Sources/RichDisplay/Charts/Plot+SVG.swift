import Foundation

/// Plot+SVG: lays out axes, ticks, series, reference lines and the legend, and writes SVG.
extension Plot {
    /// The chart as a standalone SVG document (deterministic: same plot, same bytes).
    public var svg: String {
        var layout = PlotLayout(plot: self)
        return layout.render()
    }
}

/// The geometry of one rendering: data ranges, the plot rectangle, and data → pixel mapping.
struct PlotLayout {
    let plot: Plot
    var xTicks: Ticks
    var yTicks: Ticks
    var categories: [String] = []
    var left = 0.0
    var right = 0.0
    var top = 0.0
    var bottom = 0.0
    var legendEntries: [Plot.Series] = []
    var xLower = 0.0
    var xUpper = 1.0

    static let characterWidth = 6.6  // average width of a 12px sans-serif character
    static let maximumLabelCharacters = 28

    init(plot: Plot) {
        self.plot = plot
        categories = plot.series.first(where: { $0.kind == .bar })?.categories ?? []
        let isCategorical = plot.series.contains { $0.kind == .bar }
        var xs: [Double] = []
        var ys: [Double] = []
        var yIncludesZero = false
        for series in plot.series {
            switch series.kind {
            case .line, .scatter:
                for (x, y) in zip(series.x, series.y) where x.isFinite && y.isFinite {
                    xs.append(x)
                    ys.append(y)
                }
            case .band:
                for index in series.x.indices {
                    let x = series.x[index]
                    let candidates = [series.lower[index], series.y[index]]
                    guard x.isFinite else { continue }
                    for y in candidates where y.isFinite {
                        xs.append(x)
                        ys.append(y)
                    }
                }
            case .bar:
                ys.append(contentsOf: series.y.filter(\.isFinite))
                yIncludesZero = true
            case .histogram:
                xs.append(contentsOf: series.x)
                if series.x.count == 2 {
                    // One bin (constant values) would fill the whole plot: leave a bin's width either side.
                    let width = series.x[1] - series.x[0]
                    xs.append(contentsOf: [series.x[0] - width, series.x[1] + width])
                }
                ys.append(contentsOf: series.y)
                yIncludesZero = true
            }
        }
        for reference in plot.references where reference.value.isFinite {
            if reference.axis == .x, !isCategorical { xs.append(reference.value) }
            if reference.axis == .y { ys.append(reference.value) }
        }
        if plot.xScale == .logarithmic { xs = xs.filter { $0 > 0 } }
        if plot.yScale == .logarithmic { ys = ys.filter { $0 > 0 } } else if yIncludesZero { ys.append(0) }

        let xIntegers =
            !xs.isEmpty && xs.allSatisfy { $0 == $0.rounded() }
            && !plot.series.contains { $0.kind == .histogram || $0.kind == .scatter }
        if isCategorical {
            let count = max(1, plot.series.filter { $0.kind == .bar }.map(\.y.count).max() ?? 1)
            if categories.count < count {
                categories += (categories.count..<count).map { String($0 + 1) }
            }
            categories = Array(categories.prefix(count))
            xTicks = Ticks(
                values: (0..<count).map(Double.init), labels: categories, lower: -0.5,
                upper: Double(count) - 0.5)
        } else {
            xTicks = PlotLayout.ticks(xs, scale: plot.xScale, integers: xIntegers)
        }
        yTicks = PlotLayout.ticks(ys, scale: plot.yScale, integers: false)
        if let first = xs.min(), let last = xs.max(), plot.series.allSatisfy({ $0.kind != .histogram }),
            plot.xScale == .linear, !isCategorical, first != last
        {
            // Lines start at the first point, not at the tick before it (epochs 1…30, not 0…30).
            // A 2% margin keeps end points and markers off the axis line.
            let (lower, upper) = (first - (last - first) * 0.02, last + (last - first) * 0.02)
            xLower = lower
            xUpper = upper
            // Trimming drops the outer ticks: epochs 1…12 on steps of 5 would keep only 5 and 10.
            // Fewer than four left inside: take the next denser nice step (2, 4, …, 12).
            func inside(_ ticks: Ticks) -> Int {
                ticks.values.filter { $0 >= lower - 1e-9 && $0 <= upper + 1e-9 }.count
            }
            if inside(xTicks) < 4 {
                let denser = Ticks.linear(first, last, target: 10, integers: xIntegers)
                if inside(denser) > inside(xTicks) { xTicks = denser }
            }
        } else {
            xLower = xTicks.lower
            xUpper = xTicks.upper
        }
        legendEntries = plot.series.filter { ($0.label ?? "").isEmpty == false }
    }

    static func ticks(_ values: [Double], scale: AxisScale, integers: Bool) -> Ticks {
        let low = values.min() ?? (scale == .logarithmic ? 1 : 0)
        let high = values.max() ?? (scale == .logarithmic ? 10 : 1)
        switch scale {
        case .linear: return Ticks.linear(low, high, target: 6, integers: integers)
        case .logarithmic: return Ticks.logarithmic(low, high)
        }
    }

    static func shortened(_ text: String) -> String {
        text.count > maximumLabelCharacters ? String(text.prefix(maximumLabelCharacters - 1)) + "…" : text
    }

    /// A bold 15px title centred over `center` but kept inside the image, shortened with "…"
    /// when it is wider than the image.
    static func placeTitle(_ title: String, center: Double, width: Double) -> (text: String, x: Double) {
        let characterWidth = characterWidth * 15 / 12 * 1.12  // bold runs wider
        let fitting = max(4, Int((width - 16) / characterWidth))
        let text = title.count > fitting ? String(title.prefix(fitting - 1)) + "…" : title
        let half = Double(text.count) * characterWidth / 2
        let x = min(max(center, half + 8), width - half - 8)
        return (text, x)
    }

    static func textWidth(_ text: String, size: Double = 12) -> Double {
        Double(text.count) * characterWidth * size / 12
    }

    // MARK: mapping

    func pixelX(_ value: Double) -> Double {
        map(value, lower: xLower, upper: xUpper, scale: plot.xScale, from: left, to: right)
    }

    func pixelY(_ value: Double) -> Double {
        map(value, lower: yTicks.lower, upper: yTicks.upper, scale: plot.yScale, from: bottom, to: top)
    }

    private func map(
        _ value: Double, lower: Double, upper: Double, scale: AxisScale, from start: Double, to end: Double
    ) -> Double {
        var t: Double
        switch scale {
        case .linear:
            t = upper == lower ? 0.5 : (value - lower) / (upper - lower)
        case .logarithmic:
            t = upper == lower ? 0.5 : (log10(value) - log10(lower)) / (log10(upper) - log10(lower))
        }
        if !t.isFinite { t = 0 }
        return start + (end - start) * t
    }

    func isDrawable(x: Double, y: Double) -> Bool {
        guard x.isFinite, y.isFinite else { return false }
        if plot.xScale == .logarithmic, x <= 0 { return false }
        if plot.yScale == .logarithmic, y <= 0 { return false }
        return true
    }

    // MARK: rendering

    mutating func render() -> String {
        let titleHeight = plot.title.isEmpty ? 12.0 : 36.0
        let yTickWidth = yTicks.labels.map { PlotLayout.textWidth($0) }.max() ?? 0
        let legendWidth =
            legendEntries.isEmpty
            ? 0 : (legendEntries.map { PlotLayout.textWidth(PlotLayout.shortened($0.label ?? "")) }.max() ?? 0) + 44
        let rotateCategories = categories.count * 10 > 0 && categoryLabelsCrowd()
        let xTickHeight = rotateCategories ? 8 + (categories.map { PlotLayout.textWidth($0) }.max() ?? 0) * 0.7 : 20
        left = 12 + (plot.yLabel.isEmpty ? 0 : 22) + yTickWidth + 8
        right = plot.width - 16 - legendWidth
        top = titleHeight + 8
        bottom = plot.height - 12 - (plot.xLabel.isEmpty ? 0 : 20) - xTickHeight
        if right - left < 40 { right = left + 40 }
        if bottom - top < 40 { bottom = top + 40 }

        var svg = SVGWriter(width: plot.width, height: plot.height)
        if !plot.title.isEmpty {
            let (title, x) = PlotLayout.placeTitle(plot.title, center: (left + right) / 2, width: plot.width)
            svg.element(
                "text",
                [
                    SVGWriter.x(x), SVGWriter.y(24), ("text-anchor", "middle"), ("font-size", "15"),
                    ("font-weight", "bold"), ("fill", Palette.text),
                ], text: title)
        }
        drawGrid(&svg, rotateCategories: rotateCategories)
        let clipID = "rigor-clip-PLACEHOLDER"
        svg.open("defs")
        svg.open("clipPath", [("id", clipID)])
        // The clip reaches a marker's radius past the axes, so points on the edge stay whole.
        svg.element(
            "rect",
            [
                SVGWriter.x(left - 5), SVGWriter.y(top - 5), ("width", Markup.coordinate(right - left + 10)),
                ("height", Markup.coordinate(bottom - top + 10)),
            ])
        svg.close("clipPath")
        svg.close("defs")
        svg.open("g", [("clip-path", "url(#\(clipID))")])
        for series in plot.series where series.kind == .band { drawBand(&svg, series) }
        drawBars(&svg)
        for series in plot.series where series.kind == .histogram { drawHistogram(&svg, series) }
        for series in plot.series where series.kind == .line || series.kind == .scatter { drawLine(&svg, series) }
        drawReferences(&svg)
        svg.close("g")
        drawReferenceLabels(&svg)
        drawAxes(&svg)
        if plot.series.allSatisfy({ $0.y.allSatisfy { !$0.isFinite } }) {
            svg.element(
                "text",
                [
                    SVGWriter.x((left + right) / 2), SVGWriter.y((top + bottom) / 2), ("text-anchor", "middle"),
                    ("fill", "#888888"),
                ], text: "no data")
        }
        drawLegend(&svg)
        let title = plot.title.isEmpty ? "chart" : plot.title
        let draft = svg.document(title: title)
        let id = "rigor-clip-" + StableHash.hex(draft).prefix(10)
        return draft.replacingOccurrences(of: clipID, with: id)
    }

    func categoryLabelsCrowd() -> Bool {
        guard !categories.isEmpty else { return false }
        let slot = (plot.width - 120) / Double(categories.count)
        return categories.contains { PlotLayout.textWidth($0) > slot - 4 }
    }

    func drawGrid(_ svg: inout SVGWriter, rotateCategories: Bool) {
        svg.open("g", [("stroke", Palette.grid), ("stroke-width", "1")])
        for value in yTicks.values {
            let y = pixelY(value)
            svg.element(
                "line",
                [
                    ("x1", Markup.coordinate(left)), ("y1", Markup.coordinate(y)), ("x2", Markup.coordinate(right)),
                    ("y2", Markup.coordinate(y)),
                ])
        }
        if categories.isEmpty {
            for value in xTicks.values where value >= xLower - 1e-9 && value <= xUpper + 1e-9 {
                let x = pixelX(value)
                svg.element(
                    "line",
                    [
                        ("x1", Markup.coordinate(x)), ("y1", Markup.coordinate(top)), ("x2", Markup.coordinate(x)),
                        ("y2", Markup.coordinate(bottom)),
                    ])
            }
        }
        if plot.yScale == .linear, yTicks.lower < 0, yTicks.upper > 0 {
            // Zero is where bars start and signs change: draw it darker than the grid.
            let y = Markup.coordinate(pixelY(0))
            svg.element(
                "line",
                [
                    ("x1", Markup.coordinate(left)), ("y1", y), ("x2", Markup.coordinate(right)), ("y2", y),
                    ("stroke", "#999999"),
                ])
        }
        svg.close("g")
        // Tick labels.
        svg.open("g", [("fill", Palette.axis), ("font-size", "11")])
        for (value, label) in zip(yTicks.values, yTicks.labels) {
            svg.element(
                "text",
                [SVGWriter.x(left - 6), SVGWriter.y(pixelY(value) + 4), ("text-anchor", "end")], text: label)
        }
        for (value, label) in zip(xTicks.values, xTicks.labels)
        where value >= xLower - 1e-9 && value <= xUpper + 1e-9 {
            let x = pixelX(value)
            if rotateCategories {
                let y = bottom + 12
                svg.element(
                    "text",
                    [
                        SVGWriter.x(x), SVGWriter.y(y), ("text-anchor", "end"),
                        ("transform", "rotate(-40 \(Markup.coordinate(x)) \(Markup.coordinate(y)))"),
                    ], text: PlotLayout.shortened(label))
            } else {
                svg.element(
                    "text", [SVGWriter.x(x), SVGWriter.y(bottom + 16), ("text-anchor", "middle")],
                    text: PlotLayout.shortened(label))
            }
        }
        svg.close("g")
    }

    func drawAxes(_ svg: inout SVGWriter) {
        svg.element(
            "path",
            [
                (
                    "d",
                    "M\(Markup.coordinate(left)) \(Markup.coordinate(top))V\(Markup.coordinate(bottom))H\(Markup.coordinate(right))"
                ),
                ("fill", "none"), ("stroke", Palette.axis), ("stroke-width", "1"),
            ])
        if !plot.xLabel.isEmpty {
            svg.element(
                "text",
                [
                    SVGWriter.x((left + right) / 2), SVGWriter.y(plot.height - 12), ("text-anchor", "middle"),
                    ("fill", Palette.text),
                ], text: plot.xLabel)
        }
        if !plot.yLabel.isEmpty {
            let x = 18.0
            let y = (top + bottom) / 2
            svg.element(
                "text",
                [
                    SVGWriter.x(x), SVGWriter.y(y), ("text-anchor", "middle"), ("fill", Palette.text),
                    ("transform", "rotate(-90 \(Markup.coordinate(x)) \(Markup.coordinate(y)))"),
                ], text: plot.yLabel)
        }
    }

    static func dashArray(_ style: LineStyle) -> String? {
        switch style {
        case .solid: return nil
        case .dashed: return "7 4"
        case .dotted: return "2 3"
        }
    }

    func drawLine(_ svg: inout SVGWriter, _ series: Plot.Series) {
        if series.kind == .line {
            var path = ""
            var segment: [(Double, Double)] = []
            var lonePoints: [(Double, Double)] = []
            func endSegment() {
                if segment.count == 1 { lonePoints.append(segment[0]) }
                for (index, point) in PlotLayout.decimated(segment).enumerated() {
                    path += (index == 0 ? "M" : "L") + Markup.coordinate(point.0) + " " + Markup.coordinate(point.1)
                }
                segment = []
            }
            for (x, y) in zip(series.x, series.y) {
                guard isDrawable(x: x, y: y) else {
                    endSegment()  // a gap where a value is missing
                    continue
                }
                segment.append((pixelX(x), pixelY(y)))
            }
            endSegment()
            if !path.isEmpty {
                var attributes: [SVGWriter.Attribute] = [
                    ("d", path), ("fill", "none"), ("stroke", series.color), ("stroke-width", "2"),
                    ("stroke-linejoin", "round"), ("stroke-linecap", "round"),
                ]
                if let dash = PlotLayout.dashArray(series.style) { attributes.append(("stroke-dasharray", dash)) }
                svg.element("path", attributes)
            }
            // A point with no neighbour (one epoch, or between gaps) would be an invisible line.
            if series.marker == .none, !lonePoints.isEmpty {
                svg.open("g", [("fill", series.color)])
                for point in lonePoints {
                    svg.element(
                        "circle",
                        [("cx", Markup.coordinate(point.0)), ("cy", Markup.coordinate(point.1)), ("r", "3.5")])
                }
                svg.close("g")
            }
        }
        guard series.marker != .none else { return }
        svg.open("g", [("fill", series.color), ("stroke", "#ffffff"), ("stroke-width", "0.8")])
        for (x, y) in zip(series.x, series.y) where isDrawable(x: x, y: y) {
            drawMarker(&svg, series.marker, x: pixelX(x), y: pixelY(y))
        }
        svg.close("g")
    }

    /// A polyline with more points than pixel columns, reduced to the first, lowest, highest and
    /// last point of each column: it looks the same and keeps live charts of long runs small.
    static func decimated(_ points: [(Double, Double)]) -> [(Double, Double)] {
        guard let first = points.first, let last = points.last, abs(last.0 - first.0) * 2 < Double(points.count)
        else { return points }
        var result: [(Double, Double)] = []
        var column: [(Double, Double)] = []
        func flush() {
            guard !column.isEmpty else { return }
            // Keep the column's points in drawing order so the line still runs left to right.
            var kept = [0, column.count - 1]
            if let low = column.indices.max(by: { column[$0].1 < column[$1].1 }) { kept.append(low) }
            if let high = column.indices.min(by: { column[$0].1 < column[$1].1 }) { kept.append(high) }
            for index in Set(kept).sorted() { result.append(column[index]) }
            column = []
        }
        for point in points {
            if let current = column.first, floor(point.0) != floor(current.0) { flush() }
            column.append(point)
        }
        flush()
        return result
    }

    func drawMarker(_ svg: inout SVGWriter, _ marker: Marker, x: Double, y: Double) {
        switch marker {
        case .none: break
        case .circle:
            svg.element("circle", [("cx", Markup.coordinate(x)), ("cy", Markup.coordinate(y)), ("r", "3.5")])
        case .square:
            svg.element(
                "rect", [SVGWriter.x(x - 3.5), SVGWriter.y(y - 3.5), ("width", "7"), ("height", "7")])
        }
    }

    func drawBand(_ svg: inout SVGWriter, _ series: Plot.Series) {
        var upper: [String] = []
        var lower: [String] = []
        for index in series.x.indices {
            let x = series.x[index]
            guard isDrawable(x: x, y: series.y[index]), isDrawable(x: x, y: series.lower[index]) else { continue }
            upper.append(Markup.coordinate(pixelX(x)) + "," + Markup.coordinate(pixelY(series.y[index])))
            lower.append(Markup.coordinate(pixelX(x)) + "," + Markup.coordinate(pixelY(series.lower[index])))
        }
        guard !upper.isEmpty else { return }
        let points = (upper + lower.reversed()).joined(separator: " ")
        svg.element(
            "polygon", [("points", points), ("fill", series.color), ("fill-opacity", "0.22"), ("stroke", "none")])
    }

    func drawBars(_ svg: inout SVGWriter) {
        let bars = plot.series.filter { $0.kind == .bar }
        guard !bars.isEmpty else { return }
        let group = 0.8
        let each = group / Double(bars.count)
        let base = plot.yScale == .logarithmic ? yTicks.lower : 0
        for (position, series) in bars.enumerated() {
            svg.open("g", [("fill", series.color)])
            for (index, value) in series.y.enumerated() where isDrawable(x: 1, y: value) {
                let start = Double(index) - group / 2 + each * Double(position)
                let x0 = pixelX(start)
                let x1 = pixelX(start + each)
                let y0 = pixelY(max(value, base))
                let y1 = pixelY(min(value, base))
                svg.element(
                    "rect",
                    [
                        SVGWriter.x(x0 + 0.5), SVGWriter.y(y0), ("width", Markup.coordinate(max(0, x1 - x0 - 1))),
                        ("height", Markup.coordinate(max(0, y1 - y0))),
                    ])
            }
            svg.close("g")
        }
    }

    func drawHistogram(_ svg: inout SVGWriter, _ series: Plot.Series) {
        svg.open("g", [("fill", series.color), ("fill-opacity", "0.75"), ("stroke", "#ffffff"), ("stroke-width", "1")])
        for (index, count) in series.y.enumerated() where count > 0 {
            let x0 = pixelX(series.x[index])
            let x1 = pixelX(series.x[index + 1])
            let y0 = pixelY(count)
            let y1 = pixelY(plot.yScale == .logarithmic ? yTicks.lower : 0)
            svg.element(
                "rect",
                [
                    SVGWriter.x(x0), SVGWriter.y(y0), ("width", Markup.coordinate(x1 - x0)),
                    ("height", Markup.coordinate(max(0, y1 - y0))),
                ])
        }
        svg.close("g")
    }

    func referencePixel(_ reference: Plot.ReferenceLine) -> Double? {
        guard reference.value.isFinite else { return nil }
        switch reference.axis {
        case .x:
            if plot.xScale == .logarithmic, reference.value <= 0 { return nil }
            return pixelX(categories.isEmpty ? reference.value : reference.value)
        case .y:
            if plot.yScale == .logarithmic, reference.value <= 0 { return nil }
            return pixelY(reference.value)
        }
    }

    func drawReferences(_ svg: inout SVGWriter) {
        for reference in plot.references {
            guard let position = referencePixel(reference) else { continue }
            let d: String
            switch reference.axis {
            case .x:
                d = "M\(Markup.coordinate(position)) \(Markup.coordinate(top))V\(Markup.coordinate(bottom))"
            case .y:
                d = "M\(Markup.coordinate(left)) \(Markup.coordinate(position))H\(Markup.coordinate(right))"
            }
            svg.element(
                "path",
                [
                    ("d", d), ("fill", "none"), ("stroke", Palette.reference), ("stroke-width", "1.2"),
                    ("stroke-dasharray", "4 3"),
                ])
        }
    }

    func drawReferenceLabels(_ svg: inout SVGWriter) {
        for reference in plot.references {
            guard let label = reference.label, !label.isEmpty, let position = referencePixel(reference) else {
                continue
            }
            let text = PlotLayout.shortened(label)
            switch reference.axis {
            case .x:
                // Right of the line, unless that would leave the plot.
                let fitsRight = position + 4 + PlotLayout.textWidth(text, size: 11) < right
                svg.element(
                    "text",
                    [
                        SVGWriter.x(fitsRight ? position + 4 : position - 4), SVGWriter.y(top + 12),
                        ("text-anchor", fitsRight ? "start" : "end"), ("font-size", "11"),
                        ("fill", Palette.reference), ("paint-order", "stroke"), ("stroke", "#ffffff"),
                        ("stroke-width", "3"),
                    ], text: text)
            case .y:
                svg.element(
                    "text",
                    [
                        SVGWriter.x(right - 4), SVGWriter.y(position - 4), ("text-anchor", "end"), ("font-size", "11"),
                        ("fill", Palette.reference), ("paint-order", "stroke"), ("stroke", "#ffffff"),
                        ("stroke-width", "3"),
                    ], text: text)
            }
        }
    }

    /// The legend sits right of the plot area, so it never covers data.
    func drawLegend(_ svg: inout SVGWriter) {
        guard !legendEntries.isEmpty else { return }
        let x = right + 16
        svg.open("g", [("font-size", "12"), ("fill", Palette.text)])
        for (index, series) in legendEntries.enumerated() {
            let y = top + 8 + Double(index) * 20
            switch series.kind {
            case .line:
                var attributes: [SVGWriter.Attribute] = [
                    ("d", "M\(Markup.coordinate(x)) \(Markup.coordinate(y))h22"), ("stroke", series.color),
                    ("stroke-width", "2"),
                ]
                if let dash = PlotLayout.dashArray(series.style) { attributes.append(("stroke-dasharray", dash)) }
                svg.element("path", attributes)
                if series.marker != .none {
                    svg.open("g", [("fill", series.color)])
                    drawMarker(&svg, series.marker, x: x + 11, y: y)
                    svg.close("g")
                }
            case .scatter:
                svg.open("g", [("fill", series.color)])
                drawMarker(&svg, series.marker, x: x + 11, y: y)
                svg.close("g")
            case .bar, .histogram, .band:
                svg.element(
                    "rect",
                    [
                        SVGWriter.x(x + 3), SVGWriter.y(y - 6), ("width", "16"), ("height", "12"),
                        ("fill", series.color), ("fill-opacity", series.kind == .band ? "0.35" : "0.85"),
                    ])
            }
            svg.element(
                "text", [SVGWriter.x(x + 28), SVGWriter.y(y + 4)], text: PlotLayout.shortened(series.label ?? ""))
        }
        svg.close("g")
    }
}
