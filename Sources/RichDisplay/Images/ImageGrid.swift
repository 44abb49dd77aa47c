import Foundation

/// ImageGrid: small grayscale images (8×8 digits, 28×28 MNIST) in a grid with captions,
/// drawn as crisp pixels.
///
///     ImageGrid(images, captions: ["3", "7"], columns: 10).svg
public struct ImageGrid: Hashable, Sendable {
    /// Each image as rows of pixel intensities.
    public var images: [[[Double]]]
    public var captions: [String]
    public var title: String
    public var columns: Int
    /// Side of one image on screen, in CSS pixels.
    public var imageSize: Double
    /// Indices of images whose caption is emphasised (e.g. wrong predictions).
    public var emphasized: Set<Int>
    /// Intensity mapping: `nil` scales each image to its own min…max; a range fixes it for all.
    public var intensityRange: ClosedRange<Double>?
    /// Whether high values are dark (ink on paper, like scanned digits) instead of light.
    public var darkIsHigh: Bool

    public init(
        _ images: [[[Double]]], captions: [String] = [], title: String = "", columns: Int = 10,
        imageSize: Double = 64, emphasized: Set<Int> = [], intensityRange: ClosedRange<Double>? = nil,
        darkIsHigh: Bool = false
    ) {
        self.images = images
        self.captions = captions
        self.title = title
        self.columns = max(1, columns)
        self.imageSize = max(8, imageSize)
        self.emphasized = emphasized
        self.intensityRange = intensityRange
        self.darkIsHigh = darkIsHigh
    }

    /// Flat images (`pixels.count == height × width`), as datasets store them.
    public init(flat images: [[Double]], height: Int, width: Int, captions: [String] = [], title: String = "") {
        let shaped = images.map { pixels in
            (0..<height).map { row in
                (0..<width).map { column in
                    let index = row * width + column
                    return index < pixels.count ? pixels[index] : .nan
                }
            }
        }
        self.init(shaped, captions: captions, title: title)
    }
}

extension ImageGrid: MIMERepresentable {
    public var mimeBundle: MIMEBundle { MIMEBundle(svg: svg, plainText: plainText) }

    public var plainText: String {
        var text = "ImageGrid"
        if !title.isEmpty { text += " \"\(title)\"" }
        text += ": \(images.count) image" + (images.count == 1 ? "" : "s")
        if let first = images.first { text += " of \(first.count)×\(first.first?.count ?? 0)" }
        if !captions.isEmpty {
            let shown = captions.prefix(20).joined(separator: ", ")
            text += "\n  captions: " + shown + (captions.count > 20 ? ", …" : "")
        }
        return text
    }

    public var svg: String {
        let columnCount = max(1, min(columns, images.count))
        let rowCount = (images.count + columnCount - 1) / columnCount
        let captionHeight = captions.isEmpty ? 0.0 : 18.0
        let gap = 8.0
        let titleHeight = title.isEmpty ? 0.0 : 32.0
        let width = max(
            12 + Double(columnCount) * (imageSize + gap) + 4, PlotLayout.textWidth(title, size: 15) + 24)
        let height = titleHeight + 8 + Double(max(1, rowCount)) * (imageSize + captionHeight + gap) + 4
        var svg = SVGWriter(width: width.rounded(.up), height: height.rounded(.up))
        if !title.isEmpty {
            svg.element(
                "text",
                [
                    SVGWriter.x(width / 2), SVGWriter.y(22), ("text-anchor", "middle"), ("font-size", "15"),
                    ("font-weight", "bold"), ("fill", Palette.text),
                ], text: title)
        }
        if images.isEmpty {
            svg.element(
                "text",
                [
                    SVGWriter.x(width / 2), SVGWriter.y(height / 2), ("text-anchor", "middle"),
                    ("fill", "#888888"),
                ], text: "no images")
        }
        for (index, image) in images.enumerated() {
            let x0 = 10 + Double(index % columnCount) * (imageSize + gap)
            let y0 = titleHeight + 8 + Double(index / columnCount) * (imageSize + captionHeight + gap)
            drawImage(&svg, image, x: x0, y: y0)
            if index < captions.count {
                let strong = emphasized.contains(index)
                svg.element(
                    "text",
                    [
                        SVGWriter.x(x0 + imageSize / 2), SVGWriter.y(y0 + imageSize + 14), ("text-anchor", "middle"),
                        ("font-size", "12"), ("fill", strong ? "#D55E00" : Palette.text),
                        ("font-weight", strong ? "bold" : "normal"),
                    ], text: PlotLayout.shortened(captions[index]))
            }
        }
        return svg.document(title: title.isEmpty ? "images" : title)
    }

    private func drawImage(_ svg: inout SVGWriter, _ image: [[Double]], x: Double, y: Double) {
        let height = image.count
        let width = image.map(\.count).max() ?? 0
        guard height > 0, width > 0 else { return }
        let finite = image.joined().filter(\.isFinite)
        let low = intensityRange?.lowerBound ?? finite.min() ?? 0
        let high = intensityRange?.upperBound ?? finite.max() ?? 1
        // Whole CSS pixels per image pixel where possible, so neighbouring cells leave no seams.
        let side = Double(max(height, width))
        let pixel = imageSize >= side ? (imageSize / side).rounded(.down) : imageSize / side
        svg.open("g", [("shape-rendering", "crispEdges")])
        svg.element(
            "rect",
            [
                SVGWriter.x(x), SVGWriter.y(y), ("width", Markup.coordinate(pixel * Double(width))),
                ("height", Markup.coordinate(pixel * Double(height))), ("fill", darkIsHigh ? "#ffffff" : "#000000"),
            ])
        for (row, values) in image.enumerated() {
            for (column, value) in values.enumerated() where value.isFinite {
                var t = high == low ? 0 : (value - low) / (high - low)
                if darkIsHigh { t = 1 - t }
                let color = Palette.gray(t)
                if color == (darkIsHigh ? "#ffffff" : "#000000") { continue }  // background already
                svg.element(
                    "rect",
                    [
                        SVGWriter.x(x + Double(column) * pixel), SVGWriter.y(y + Double(row) * pixel),
                        ("width", Markup.coordinate(pixel)), ("height", Markup.coordinate(pixel)), ("fill", color),
                    ])
            }
        }
        svg.close("g")
    }
}
