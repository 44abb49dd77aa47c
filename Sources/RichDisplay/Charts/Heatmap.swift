import Foundation

/// Heatmap: a matrix as coloured cells (viridis, or Tol's sunset for signed values), with row/column labels, values written in the
/// cells in a contrasting colour, and a colour bar. A confusion matrix is the common case.
///
///     Heatmap([[50, 2], [3, 45]], rowLabels: ["cat", "dog"], columnLabels: ["cat", "dog"],
///             title: "Confusion matrix", x: "predicted", y: "actual").svg
public struct Heatmap: Hashable, Sendable {
    public var values: [[Double]]
    public var rowLabels: [String]
    public var columnLabels: [String]
    public var title: String
    public var xLabel: String
    public var yLabel: String
    /// Whether to write each value in its cell; by default when the matrix is at most 20×20.
    public var showsValues: Bool
    /// How values become colours.
    public var colorScale: ColorScale = .sequential

    public enum ColorScale: Hashable, Sendable {
        /// viridis from the smallest value (dark purple) to the largest (yellow): counts, probabilities.
        case sequential
        /// Tol's sunset, blue below zero and red above, symmetric around zero: attributions, differences.
        case diverging
    }

    public init(
        _ values: [[Double]], rowLabels: [String] = [], columnLabels: [String] = [], title: String = "",
        x: String = "", y: String = "", showsValues: Bool? = nil
    ) {
        let columnCount = values.map(\.count).max() ?? 0
        self.values = values.map { $0 + Array(repeating: .nan, count: columnCount - $0.count) }
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.title = title
        self.xLabel = x
        self.yLabel = y
        self.showsValues = showsValues ?? (values.count <= 20 && columnCount <= 20)
    }

    /// The same labels on both axes, as a confusion matrix has.
    public init(_ values: [[Double]], labels: [String], title: String = "", x: String = "", y: String = "") {
        self.init(values, rowLabels: labels, columnLabels: labels, title: title, x: x, y: y)
    }

    var rowCount: Int { values.count }
    var columnCount: Int { values.first?.count ?? 0 }

    func rowLabel(_ index: Int) -> String { index < rowLabels.count ? rowLabels[index] : String(index) }
    func columnLabel(_ index: Int) -> String { index < columnLabels.count ? columnLabels[index] : String(index) }

    /// Finite minimum and maximum, or 0…1 when there are none; symmetric around zero when diverging.
    var range: (low: Double, high: Double) {
        let finite = values.joined().filter(\.isFinite)
        let low = finite.min() ?? 0
        let high = finite.max() ?? 1
        guard colorScale == .diverging else { return (low, high) }
        let extent = max(abs(low), abs(high))
        return extent == 0 ? (-1, 1) : (-extent, extent)
    }

    /// The fill and text contrast of a value.
    func color(_ value: Double) -> (hex: String, textIsWhite: Bool) {
        let (low, high) = range
        let t = high == low ? 0.5 : (value - low) / (high - low)
        return colorScale == .diverging ? Palette.sunset(t) : Palette.viridis(t)
    }

    /// A value as written in a cell: whole numbers as integers, others to three digits.
    static func cellText(_ value: Double) -> String {
        guard value.isFinite else { return "" }
        if value == value.rounded(), abs(value) < 1e6 { return String(Int(value)) }
        return NumberFormat.format(value, significantDigits: 2)
    }
}

extension Heatmap: MIMERepresentable {
    public var mimeBundle: MIMEBundle { MIMEBundle(svg: svg, plainText: plainText) }

    /// The matrix as aligned text with its labels.
    public var plainText: String {
        var header = "Heatmap"
        if !title.isEmpty { header += " \"\(title)\"" }
        header += " \(rowCount)×\(columnCount)"
        if !yLabel.isEmpty || !xLabel.isEmpty { header += " (rows: \(yLabel), columns: \(xLabel))" }
        guard rowCount > 0, columnCount > 0 else { return header + "\n  (no data)" }
        let table = Table(
            columns: [""] + (0..<columnCount).map(columnLabel),
            rows: values.enumerated().map { index, row in
                [TableCell.text(rowLabel(index))] + row.map { TableCell.text(Heatmap.cellText($0)) }
            })
        let lines = table.plainText.split(separator: "\n", omittingEmptySubsequences: false)
        return ([header] + lines.enumerated().filter { $0.offset != 1 }.map { "  " + $0.element }).joined(
            separator: "\n")
    }

    /// The heat map as SVG.
    public var svg: String {
        let (low, high) = range
        let longestRow = (0..<rowCount).map { PlotLayout.textWidth(PlotLayout.shortened(rowLabel($0))) }.max() ?? 0
        let longestColumn =
            (0..<columnCount).map { PlotLayout.textWidth(PlotLayout.shortened(columnLabel($0))) }.max() ?? 0
        let cell = min(48, max(14, 440 / Double(max(1, max(rowCount, columnCount)))))
        let rotateColumns = longestColumn > cell - 4
        let titleHeight = title.isEmpty ? 12.0 : 36.0
        let left = 12 + (yLabel.isEmpty ? 0 : 22) + longestRow + 8
        let top = titleHeight + (xLabel.isEmpty ? 0 : 20) + (rotateColumns ? longestColumn * 0.75 + 10 : 20)
        let gridWidth = cell * Double(columnCount)
        let gridHeight = cell * Double(rowCount)
        let barLeft = left + gridWidth + 20
        let colorTicks = Ticks.linear(low, high, target: 5)
        let tickWidth = colorTicks.labels.map { PlotLayout.textWidth($0, size: 11) }.max() ?? 0
        let width = max(barLeft + 14 + 6 + tickWidth + 12, min(PlotLayout.textWidth(title, size: 15) * 1.12 + 24, 720))
        let height = top + max(gridHeight, 60) + 16

        var svg = SVGWriter(width: width.rounded(.up), height: height.rounded(.up))
        if !title.isEmpty {
            let (title, x) = PlotLayout.placeTitle(title, center: left + gridWidth / 2, width: width.rounded(.up))
            svg.element(
                "text",
                [
                    SVGWriter.x(x), SVGWriter.y(24), ("text-anchor", "middle"), ("font-size", "15"),
                    ("font-weight", "bold"), ("fill", Palette.text),
                ], text: title)
        }
        if !xLabel.isEmpty {
            svg.element(
                "text",
                [
                    SVGWriter.x(left + gridWidth / 2), SVGWriter.y(titleHeight + 12), ("text-anchor", "middle"),
                    ("fill", Palette.text),
                ], text: xLabel)
        }
        if !yLabel.isEmpty {
            let x = 18.0
            let y = top + gridHeight / 2
            svg.element(
                "text",
                [
                    SVGWriter.x(x), SVGWriter.y(y), ("text-anchor", "middle"), ("fill", Palette.text),
                    ("transform", "rotate(-90 \(Markup.coordinate(x)) \(Markup.coordinate(y)))"),
                ], text: yLabel)
        }
        // Cells.
        svg.open("g", [("shape-rendering", "crispEdges")])
        for row in 0..<rowCount {
            for column in 0..<columnCount {
                let value = values[row][column]
                let fill = value.isFinite ? color(value).hex : "#ffffff"
                svg.element(
                    "rect",
                    [
                        SVGWriter.x(left + Double(column) * cell), SVGWriter.y(top + Double(row) * cell),
                        ("width", Markup.coordinate(cell)), ("height", Markup.coordinate(cell)), ("fill", fill),
                    ])
            }
        }
        svg.close("g")
        if showsValues {
            let size = min(13, max(8, cell * 0.36))
            svg.open("g", [("text-anchor", "middle"), ("font-size", Markup.coordinate(size))])
            for row in 0..<rowCount {
                for column in 0..<columnCount {
                    let value = values[row][column]
                    guard value.isFinite else { continue }
                    let white = color(value).textIsWhite
                    svg.element(
                        "text",
                        [
                            SVGWriter.x(left + (Double(column) + 0.5) * cell),
                            SVGWriter.y(top + (Double(row) + 0.5) * cell + size * 0.35),
                            ("fill", white ? "#ffffff" : "#000000"),
                        ], text: Heatmap.cellText(value))
                }
            }
            svg.close("g")
        }
        // Labels.
        svg.open("g", [("font-size", "11"), ("fill", Palette.axis)])
        for row in 0..<rowCount {
            svg.element(
                "text",
                [SVGWriter.x(left - 6), SVGWriter.y(top + (Double(row) + 0.5) * cell + 4), ("text-anchor", "end")],
                text: PlotLayout.shortened(rowLabel(row)))
        }
        for column in 0..<columnCount {
            let x = left + (Double(column) + 0.5) * cell
            if rotateColumns {
                let y = top - 6
                svg.element(
                    "text",
                    [
                        SVGWriter.x(x), SVGWriter.y(y), ("text-anchor", "start"),
                        ("transform", "rotate(-45 \(Markup.coordinate(x)) \(Markup.coordinate(y)))"),
                    ],
                    text: PlotLayout.shortened(columnLabel(column)))
            } else {
                svg.element(
                    "text", [SVGWriter.x(x), SVGWriter.y(top - 6), ("text-anchor", "middle")],
                    text: PlotLayout.shortened(columnLabel(column)))
            }
        }
        svg.close("g")
        // Colour bar: stacked slices from low (bottom) to high (top).
        let barHeight = max(gridHeight, 60)
        let slices = 64
        svg.open("g", [("shape-rendering", "crispEdges")])
        for slice in 0..<slices {
            let t = Double(slice) / Double(slices - 1)
            let y = top + barHeight - Double(slice + 1) * barHeight / Double(slices)
            svg.element(
                "rect",
                [
                    SVGWriter.x(barLeft), SVGWriter.y(y), ("width", "14"),
                    ("height", Markup.coordinate(barHeight / Double(slices) + 0.5)),
                    ("fill", (colorScale == .diverging ? Palette.sunset(t) : Palette.viridis(t)).hex),
                ])
        }
        svg.close("g")
        svg.open("g", [("font-size", "11"), ("fill", Palette.axis)])
        for (value, label) in zip(colorTicks.values, colorTicks.labels)
        where value >= low - 1e-12 && value <= high + 1e-12 {
            let t = high == low ? 0.5 : (value - low) / (high - low)
            let y = top + barHeight * (1 - t)
            svg.element(
                "path",
                [("d", "M\(Markup.coordinate(barLeft + 14)) \(Markup.coordinate(y))h4"), ("stroke", Palette.axis)])
            svg.element("text", [SVGWriter.x(barLeft + 21), SVGWriter.y(y + 4)], text: label)
        }
        svg.close("g")
        return svg.document(title: title.isEmpty ? "heatmap" : title)
    }
}
