import Foundation

/// ContourPlot: a surface z(x, y) given on a grid, drawn as filled viridis cells with iso-lines (marching squares) at
/// nice levels, points on top (the trials of a search) and a colour bar. Either axis may be logarithmic (the grid is
/// then spaced evenly in log).
///
///     var chart = ContourPlot(x: xs, y: ys, z: surface, title: "loss", xLabel: "learning rate", yLabel: "width")
///     chart.xScale = .logarithmic
///     chart.points = zip(trialX, trialY).map { ($0, $1) }
public struct ContourPlot: Hashable, Sendable {
    /// Grid coordinates along x (columns) and y (rows), increasing.
    public var x: [Double]
    public var y: [Double]
    /// `z[row][column]`: the surface at (x[column], y[row]).
    public var z: [[Double]]
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var colorLabel: String
    public var xScale: AxisScale = .linear
    public var yScale: AxisScale = .linear
    /// Points drawn over the surface.
    public var pointsX: [Double] = []
    public var pointsY: [Double] = []
    /// The index of a point drawn larger (the best trial).
    public var emphasizedPoint: Int?
    public var width = 640.0
    public var height = 460.0

    public init(
        x: [Double], y: [Double], z: [[Double]], title: String = "", xLabel: String = "", yLabel: String = "",
        colorLabel: String = ""
    ) {
        self.x = x
        self.y = y
        self.z = z
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.colorLabel = colorLabel
    }

    /// The points to draw over the surface.
    public var points: [(Double, Double)] {
        get { Array(zip(pointsX, pointsY)) }
        set {
            pointsX = newValue.map(\.0)
            pointsY = newValue.map(\.1)
        }
    }
}

extension ContourPlot: MIMERepresentable {
    public var mimeBundle: MIMEBundle { MIMEBundle(svg: svg, plainText: plainText) }

    public var plainText: String {
        let finite = z.joined().filter(\.isFinite)
        var text = "ContourPlot" + (title.isEmpty ? "" : " \"\(title)\"")
        text += " (\(xLabel) vs \(yLabel)), \(x.count)×\(y.count) grid"
        if let low = finite.min(), let high = finite.max() {
            text += ", z \(NumberFormat.format(low))…\(NumberFormat.format(high))"
        }
        return text + ", \(pointsX.count) points"
    }

    public var svg: String {
        var svg = SVGWriter(width: width, height: height)
        let left = 70.0
        let right = width - 100
        let top = title.isEmpty ? 20.0 : 44.0
        let bottom = height - 50
        if !title.isEmpty {
            svg.element(
                "text", [SVGWriter.x(width / 2), SVGWriter.y(26), ("text-anchor", "middle"), ("font-size", "15")],
                text: title)
        }
        func transform(_ value: Double, _ scale: AxisScale) -> Double {
            scale == .logarithmic ? log10(max(value, .leastNormalMagnitude)) : value
        }
        let xs = x.map { transform($0, xScale) }
        let ys = y.map { transform($0, yScale) }
        guard let xLow = xs.first, let xHigh = xs.last, let yLow = ys.first, let yHigh = ys.last, xHigh > xLow,
            yHigh > yLow
        else {
            svg.element(
                "text", [SVGWriter.x(width / 2), SVGWriter.y(height / 2), ("text-anchor", "middle")], text: "no data")
            return svg.document(title: title.isEmpty ? "Contour plot" : title)
        }
        func px(_ value: Double) -> Double { left + (value - xLow) / (xHigh - xLow) * (right - left) }
        func py(_ value: Double) -> Double { bottom - (value - yLow) / (yHigh - yLow) * (bottom - top) }
        let finite = z.joined().filter(\.isFinite)
        let zLow = finite.min() ?? 0
        let zHigh = finite.max() ?? 1
        func shade(_ value: Double) -> String {
            guard value.isFinite else { return "#dddddd" }
            return Palette.viridis(zHigh == zLow ? 0.5 : (value - zLow) / (zHigh - zLow)).hex
        }
        // Cells centred on grid points, edges halfway between neighbours.
        func edges(_ values: [Double]) -> [Double] {
            var result = [values[0]]
            for i in 1..<values.count { result.append((values[i - 1] + values[i]) / 2) }
            result.append(values[values.count - 1])
            return result
        }
        let xEdges = edges(xs)
        let yEdges = edges(ys)
        for row in 0..<min(ys.count, z.count) {
            for column in 0..<min(xs.count, z[row].count) {
                let x0 = px(xEdges[column])
                let x1 = px(xEdges[column + 1])
                let y0 = py(yEdges[row + 1])
                let y1 = py(yEdges[row])
                svg.element(
                    "rect",
                    [
                        SVGWriter.x(x0), SVGWriter.y(y0), ("width", Markup.coordinate(x1 - x0 + 0.6)),
                        ("height", Markup.coordinate(y1 - y0 + 0.6)), ("fill", shade(z[row][column])),
                    ])
            }
        }
        // Iso-lines by marching squares on the grid, at the colour bar's tick levels.
        let levels = zHigh > zLow ? Ticks.linear(zLow, zHigh, target: 8).values.filter { $0 > zLow && $0 < zHigh } : []
        for level in levels {
            var path = ""
            for row in 0..<(min(ys.count, z.count) - 1) {
                for column in 0..<(xs.count - 1) {
                    guard column + 1 < z[row].count, column + 1 < z[row + 1].count else { continue }
                    let corners = [
                        (xs[column], ys[row], z[row][column]), (xs[column + 1], ys[row], z[row][column + 1]),
                        (xs[column + 1], ys[row + 1], z[row + 1][column + 1]),
                        (xs[column], ys[row + 1], z[row + 1][column]),
                    ]
                    guard corners.allSatisfy({ $0.2.isFinite }) else { continue }
                    var crossings: [(Double, Double)] = []
                    for edge in 0..<4 {
                        let a = corners[edge]
                        let b = corners[(edge + 1) % 4]
                        if (a.2 < level) != (b.2 < level) {
                            let t = (level - a.2) / (b.2 - a.2)
                            crossings.append((a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1)))
                        }
                    }
                    for pair in stride(from: 0, to: crossings.count - 1, by: 2) {
                        let (a, b) = (crossings[pair], crossings[pair + 1])
                        path += "M\(Markup.coordinate(px(a.0))),\(Markup.coordinate(py(a.1)))"
                        path += "L\(Markup.coordinate(px(b.0))),\(Markup.coordinate(py(b.1)))"
                    }
                }
            }
            if !path.isEmpty {
                svg.element(
                    "path",
                    [
                        ("d", path), ("fill", "none"), ("stroke", "#ffffff"), ("stroke-opacity", "0.55"),
                        ("stroke-width", "1"),
                    ])
            }
        }
        // Points, clipped to the grid.
        for (index, (pxValue, pyValue)) in zip(pointsX, pointsY).enumerated() {
            let tx = transform(pxValue, xScale)
            let ty = transform(pyValue, yScale)
            guard tx.isFinite, ty.isFinite, tx >= xLow, tx <= xHigh, ty >= yLow, ty <= yHigh else { continue }
            let isBest = index == emphasizedPoint
            svg.element(
                "circle",
                [
                    ("cx", Markup.coordinate(px(tx))), ("cy", Markup.coordinate(py(ty))), ("r", isBest ? "6" : "3.5"),
                    ("fill", isBest ? "#D55E00" : "#ffffff"), ("stroke", "#000000"), ("stroke-width", "1"),
                ])
        }
        // Frame and axes.
        svg.element(
            "rect",
            [
                SVGWriter.x(left), SVGWriter.y(top), ("width", Markup.coordinate(right - left)),
                ("height", Markup.coordinate(bottom - top)), ("fill", "none"), ("stroke", "#333333"),
            ])
        func axisTicks(_ low: Double, _ high: Double, _ scale: AxisScale) -> Ticks {
            scale == .logarithmic ? Ticks.logarithmic(pow(10, low), pow(10, high)) : Ticks.linear(low, high, target: 6)
        }
        let xTicks = axisTicks(xLow, xHigh, xScale)
        for (value, label) in zip(xTicks.values, xTicks.labels) {
            let t = transform(value, xScale)
            guard t >= xLow - 1e-9, t <= xHigh + 1e-9 else { continue }
            svg.element(
                "line",
                [
                    ("x1", Markup.coordinate(px(t))), ("y1", Markup.coordinate(bottom)),
                    ("x2", Markup.coordinate(px(t))),
                    ("y2", Markup.coordinate(bottom + 5)), ("stroke", "#333333"),
                ])
            svg.element("text", [SVGWriter.x(px(t)), SVGWriter.y(bottom + 18), ("text-anchor", "middle")], text: label)
        }
        let yTicks = axisTicks(yLow, yHigh, yScale)
        for (value, label) in zip(yTicks.values, yTicks.labels) {
            let t = transform(value, yScale)
            guard t >= yLow - 1e-9, t <= yHigh + 1e-9 else { continue }
            svg.element(
                "line",
                [
                    ("x1", Markup.coordinate(left - 5)), ("y1", Markup.coordinate(py(t))),
                    ("x2", Markup.coordinate(left)),
                    ("y2", Markup.coordinate(py(t))), ("stroke", "#333333"),
                ])
            svg.element("text", [SVGWriter.x(left - 8), SVGWriter.y(py(t) + 4), ("text-anchor", "end")], text: label)
        }
        svg.element(
            "text", [SVGWriter.x((left + right) / 2), SVGWriter.y(height - 12), ("text-anchor", "middle")], text: xLabel
        )
        svg.element(
            "text",
            [
                SVGWriter.x(16), SVGWriter.y((top + bottom) / 2), ("text-anchor", "middle"),
                ("transform", "rotate(-90 16 \(Markup.coordinate((top + bottom) / 2)))"),
            ], text: yLabel)
        ColorBar.draw(
            into: &svg, x: width - 80, top: top + 14, bottom: bottom, low: zLow, high: zHigh, label: colorLabel)
        return svg.document(title: title.isEmpty ? "Contour plot" : title)
    }
}
