import Foundation

/// AttributionOverlay: an image beside the same image with its attributions laid over it as a diverging heat map
/// (red raises the output, blue lowers it, symmetric around zero), and a colour bar.
///
///     AttributionOverlay(image: digit, attributions: map, title: "integrated gradients, class 3").svg
public struct AttributionOverlay: Hashable, Sendable {
    /// Pixel intensities, rows of columns (one channel).
    public var image: [[Double]]
    /// One attribution per pixel, same shape.
    public var attributions: [[Double]]
    public var title: String
    /// Side of each panel, in CSS pixels.
    public var panelSize: Double
    /// Whether high intensities are dark (ink on paper), as `ImageGrid`.
    public var darkIsHigh: Bool

    public init(
        image: [[Double]], attributions: [[Double]], title: String = "", panelSize: Double = 192,
        darkIsHigh: Bool = true
    ) {
        self.image = image
        self.attributions = attributions
        self.title = title
        self.panelSize = max(32, panelSize)
        self.darkIsHigh = darkIsHigh
    }

    /// The largest |attribution| (the colour bar's ends), 0 when none is finite.
    public var extent: Double { attributions.joined().filter(\.isFinite).map { abs($0) }.max() ?? 0 }
}

extension AttributionOverlay: MIMERepresentable {
    public var mimeBundle: MIMEBundle { MIMEBundle(svg: svg, plainText: plainText) }

    public var plainText: String {
        let height = image.count
        let width = image.first?.count ?? 0
        return "AttributionOverlay" + (title.isEmpty ? "" : " \"\(title)\"")
            + ": \(height)×\(width) image, attributions ±\(NumberFormat.format(extent))"
    }

    public var svg: String {
        let rowCount = image.count
        let columnCount = image.map(\.count).max() ?? 0
        let titleHeight = title.isEmpty ? 8.0 : 34.0
        let gap = 24.0
        let side = Double(max(1, max(rowCount, columnCount)))
        let pixel = (panelSize / side).rounded(.down) >= 1 ? (panelSize / side).rounded(.down) : panelSize / side
        let panel = pixel * side
        let width = max(16 + panel * 2 + gap + 90, PlotLayout.textWidth(title, size: 15) + 24)
        let height = titleHeight + 22 + panel + 12
        var svg = SVGWriter(width: width.rounded(.up), height: height.rounded(.up))
        svg.chartTitle(title, width: width)
        let top = titleHeight + 20
        let leftPanel = 8.0
        let rightPanel = leftPanel + panel + gap
        for (x, caption) in [(leftPanel, "input"), (rightPanel, "attribution")] {
            svg.element(
                "text",
                [
                    SVGWriter.x(x + panel / 2), SVGWriter.y(top - 6), ("text-anchor", "middle"), ("fill", Palette.axis),
                ], text: caption)
        }
        let finite = image.joined().filter(\.isFinite)
        let low = finite.min() ?? 0
        let high = finite.max() ?? 1
        /// The input's gray; under the heat map faded to the light half, so the colours stay readable on dark ink.
        func gray(_ value: Double, faded: Bool) -> String {
            var t = high == low ? 0 : (value - low) / (high - low)
            if darkIsHigh { t = 1 - t }
            return Palette.gray(faded ? 0.55 + 0.45 * t : t)
        }
        let extent = self.extent
        for panelX in [leftPanel, rightPanel] {
            svg.open("g", [("shape-rendering", "crispEdges")])
            for (row, values) in image.enumerated() {
                for (column, value) in values.enumerated() {
                    svg.element(
                        "rect",
                        [
                            SVGWriter.x(panelX + Double(column) * pixel), SVGWriter.y(top + Double(row) * pixel),
                            ("width", Markup.coordinate(pixel)), ("height", Markup.coordinate(pixel)),
                            ("fill", value.isFinite ? gray(value, faded: panelX == rightPanel) : "#ff00ff"),
                        ])
                }
            }
            if panelX == rightPanel && extent > 0 {
                for (row, values) in attributions.enumerated() {
                    for (column, value) in values.enumerated() where value.isFinite && value != 0 {
                        let t = 0.5 + 0.5 * value / extent
                        let opacity = 0.2 + 0.7 * abs(value) / extent
                        svg.element(
                            "rect",
                            [
                                SVGWriter.x(panelX + Double(column) * pixel), SVGWriter.y(top + Double(row) * pixel),
                                ("width", Markup.coordinate(pixel)), ("height", Markup.coordinate(pixel)),
                                ("fill", Palette.sunset(t).hex), ("fill-opacity", Markup.coordinate(opacity)),
                            ])
                    }
                }
            }
            svg.close("g")
            svg.element(
                "rect",
                [
                    SVGWriter.x(panelX), SVGWriter.y(top), ("width", Markup.coordinate(panel)),
                    ("height", Markup.coordinate(panel)), ("fill", "none"), ("stroke", Palette.axis),
                ])
        }
        // Colour bar: +extent at the top, 0 in the middle, −extent at the bottom.
        let barX = rightPanel + panel + 16
        for step in 0..<32 {
            let t = 1 - (Double(step) + 0.5) / 32
            svg.element(
                "rect",
                [
                    SVGWriter.x(barX), SVGWriter.y(top + Double(step) * panel / 32), ("width", "12"),
                    ("height", Markup.coordinate(panel / 32 + 0.5)), ("fill", Palette.sunset(t).hex),
                ])
        }
        for (value, y) in [(extent, top + 9), (0.0, top + panel / 2 + 4), (-extent, top + panel)] {
            svg.element(
                "text", [SVGWriter.x(barX + 16), SVGWriter.y(y), ("font-size", "11"), ("fill", Palette.axis)],
                text: NumberFormat.format(value, significantDigits: 2))
        }
        return svg.document(title: title.isEmpty ? "attribution" : title)
    }
}
