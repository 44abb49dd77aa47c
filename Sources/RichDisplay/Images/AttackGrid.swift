import Foundation

/// AttackGrid: what an adversarial attack did to a few images, one column per image and three rows: the original,
/// the perturbation x′ − x as a diverging map (blue lowers a value, red raises it, pale yellow is unchanged; the colours span
/// ±`perturbationScale`, stated under the grid with the amplification it means), and the adversarial image. Each column
/// is headed by the true label; under the original and the adversarial image is the model's prediction, a wrong one
/// in bold vermillion with a ✗.
///
///     AttackGrid(columns: columns, height: 8, width: 8, valueRange: 0...1, perturbationScale: 0.1,
///                title: "FGSM (L∞, ε = 0.1)").svg
public struct AttackGrid: Hashable, Sendable {
    /// One attacked image.
    public struct Column: Hashable, Sendable {
        /// Pixels, flat: `channels × height × width` (channel-major, as the model takes them).
        public var original: [Double]
        public var adversarial: [Double]
        public var label: String
        public var cleanPrediction: String
        public var adversarialPrediction: String
        public var cleanCorrect: Bool
        public var adversarialCorrect: Bool

        public init(
            original: [Double], adversarial: [Double], label: String, cleanPrediction: String,
            adversarialPrediction: String, cleanCorrect: Bool, adversarialCorrect: Bool
        ) {
            self.original = original
            self.adversarial = adversarial
            self.label = label
            self.cleanPrediction = cleanPrediction
            self.adversarialPrediction = adversarialPrediction
            self.cleanCorrect = cleanCorrect
            self.adversarialCorrect = adversarialCorrect
        }
    }

    public var columns: [Column]
    public var height: Int
    public var width: Int
    /// 1 (grayscale) or 3 (RGB); a colour image's perturbation is shown as the mean over its channels.
    public var channels: Int
    /// The pixel range drawn from black to white (the data's valid range).
    public var valueRange: ClosedRange<Double>
    /// The perturbation that gets the full colour (ε for an L∞ attack).
    public var perturbationScale: Double
    /// What the scale is, for the caption (`ε`, `the largest |x′ − x| shown`).
    public var scaleMeaning: String
    public var title: String
    /// Side of one image on screen, in CSS pixels.
    public var imageSize: Double

    public init(
        columns: [Column], height: Int, width: Int, channels: Int = 1, valueRange: ClosedRange<Double>,
        perturbationScale: Double, scaleMeaning: String = "ε", title: String = "", imageSize: Double = 72
    ) {
        self.columns = columns
        self.height = max(1, height)
        self.width = max(1, width)
        self.channels = channels == 3 ? 3 : 1
        self.valueRange = valueRange
        self.perturbationScale = perturbationScale
        self.scaleMeaning = scaleMeaning
        self.title = title
        self.imageSize = max(16, imageSize)
    }

    /// How many times the perturbation's colours amplify it relative to the pixel range.
    public var amplification: Double {
        perturbationScale > 0 ? (valueRange.upperBound - valueRange.lowerBound) / perturbationScale : 1
    }

    /// The caption under the colour bar.
    public var scaleCaption: String {
        let scale = NumberFormat.format(perturbationScale, significantDigits: 3)
        let times = NumberFormat.format(amplification, significantDigits: 3)
        return "perturbation x′ − x: blue −\(scale), pale yellow 0, red +\(scale) (\(scaleMeaning)); "
            + "shown \(times)× stronger than the pixel range"
            + (channels == 3 ? ", mean over the colour channels" : "")
    }
}

extension AttackGrid: MIMERepresentable {
    public var mimeBundle: MIMEBundle { MIMEBundle(svg: svg, plainText: plainText) }

    public var plainText: String {
        var lines = [(title.isEmpty ? "AttackGrid" : title) + ": \(columns.count) image(s) of \(height)×\(width)"]
        lines.append("  label:       " + columns.map(\.label).joined(separator: " "))
        lines.append(
            "  clean:       " + columns.map { $0.cleanPrediction + ($0.cleanCorrect ? "" : "✗") }.joined(separator: " ")
        )
        lines.append(
            "  adversarial: "
                + columns.map { $0.adversarialPrediction + ($0.adversarialCorrect ? "" : "✗") }
                .joined(separator: " "))
        lines.append("  " + scaleCaption)
        return lines.joined(separator: "\n")
    }

    public var svg: String {
        let gap = 14.0
        let labelWidth = 104.0
        let captionHeight = 18.0
        let titleHeight = title.isEmpty ? 8.0 : 34.0
        let headerHeight = 20.0
        let rowHeight = imageSize + captionHeight + 8
        let gridWidth = Double(max(1, columns.count)) * (imageSize + gap)
        let caption = scaleCaption
        let width = max(
            labelWidth + gridWidth + 8, PlotLayout.textWidth(title, size: 15) + 24,
            PlotLayout.textWidth(caption, size: 11) + 24, 360)
        let barTop = titleHeight + headerHeight + 3 * rowHeight + 6
        let height = barTop + 12 + 34
        var svg = SVGWriter(width: width.rounded(.up), height: height.rounded(.up))
        svg.chartTitle(title, width: width)
        let top = titleHeight + headerHeight
        for (index, name) in ["original", "perturbation", "adversarial"].enumerated() {
            svg.element(
                "text",
                [
                    SVGWriter.x(labelWidth - 10), SVGWriter.y(top + Double(index) * rowHeight + imageSize / 2 + 4),
                    ("text-anchor", "end"), ("font-size", "12"), ("fill", Palette.axis),
                ], text: name)
        }
        let scale = perturbationScale > 0 ? perturbationScale : 1
        for (index, column) in columns.enumerated() {
            let x = labelWidth + Double(index) * (imageSize + gap)
            svg.element(
                "text",
                [
                    SVGWriter.x(x + imageSize / 2), SVGWriter.y(top - 6), ("text-anchor", "middle"),
                    ("font-size", "12"), ("font-weight", "bold"), ("fill", Palette.text),
                ], text: "label " + PlotLayout.shortened(column.label))
            drawImage(&svg, column.original, x: x, y: top)
            prediction(&svg, column.cleanPrediction, correct: column.cleanCorrect, x: x, y: top + imageSize)
            let delta = perturbation(column)
            drawPixels(&svg, x: x, y: top + rowHeight) { pixel in
                Palette.sunset(0.5 + 0.5 * delta[pixel] / scale).hex
            }
            drawImage(&svg, column.adversarial, x: x, y: top + 2 * rowHeight)
            prediction(
                &svg, column.adversarialPrediction, correct: column.adversarialCorrect, x: x,
                y: top + 2 * rowHeight + imageSize)
        }
        // The colour bar of the perturbation row and what its ends mean.
        let barWidth = min(240.0, width - 24)
        let barX = 12.0
        for step in 0..<48 {
            let t = (Double(step) + 0.5) / 48
            svg.element(
                "rect",
                [
                    SVGWriter.x(barX + Double(step) * barWidth / 48), SVGWriter.y(barTop), ("height", "10"),
                    ("width", Markup.coordinate(barWidth / 48 + 0.5)), ("fill", Palette.sunset(t).hex),
                ])
        }
        let scaleText = NumberFormat.format(perturbationScale, significantDigits: 3)
        for (text, x, anchor) in [
            ("−" + scaleText, barX, "start"), ("0", barX + barWidth / 2, "middle"),
            ("+" + scaleText, barX + barWidth, "end"),
        ] {
            svg.element(
                "text",
                [
                    SVGWriter.x(x), SVGWriter.y(barTop + 22), ("text-anchor", anchor), ("font-size", "11"),
                    ("fill", Palette.axis),
                ], text: text)
        }
        svg.element(
            "text",
            [SVGWriter.x(barX), SVGWriter.y(barTop + 38), ("font-size", "11"), ("fill", Palette.axis)], text: caption)
        return svg.document(title: title.isEmpty ? "attack" : title)
    }

    /// x′ − x per pixel (the mean over the channels of a colour image).
    private func perturbation(_ column: Column) -> [Double] {
        let plane = height * width
        return (0..<plane).map { pixel in
            var sum = 0.0
            for channel in 0..<channels {
                let i = channel * plane + pixel
                guard i < column.original.count, i < column.adversarial.count else { return 0 }
                sum += column.adversarial[i] - column.original[i]
            }
            return sum / Double(channels)
        }
    }

    private func drawImage(_ svg: inout SVGWriter, _ values: [Double], x: Double, y: Double) {
        let plane = height * width
        let low = valueRange.lowerBound
        let span = valueRange.upperBound - low
        func level(_ i: Int) -> Double {
            guard i < values.count, values[i].isFinite, span > 0 else { return 0 }
            return min(255, max(0, (values[i] - low) / span * 255))
        }
        drawPixels(&svg, x: x, y: y) { pixel in
            if channels == 3 {
                return Palette.hex(level(pixel), level(plane + pixel), level(2 * plane + pixel))
            }
            return Palette.gray(level(pixel) / 255)
        }
    }

    private func drawPixels(_ svg: inout SVGWriter, x: Double, y: Double, color: (Int) -> String) {
        let side = Double(max(height, width))
        let pixel = imageSize >= side ? (imageSize / side).rounded(.down) : imageSize / side
        svg.open("g", [("shape-rendering", "crispEdges")])
        for row in 0..<height {
            for column in 0..<width {
                svg.element(
                    "rect",
                    [
                        SVGWriter.x(x + Double(column) * pixel), SVGWriter.y(y + Double(row) * pixel),
                        ("width", Markup.coordinate(pixel)), ("height", Markup.coordinate(pixel)),
                        ("fill", color(row * width + column)),
                    ])
            }
        }
        svg.close("g")
        svg.element(
            "rect",
            [
                SVGWriter.x(x), SVGWriter.y(y), ("width", Markup.coordinate(pixel * Double(width))),
                ("height", Markup.coordinate(pixel * Double(height))), ("fill", "none"), ("stroke", Palette.grid),
            ])
    }

    private func prediction(_ svg: inout SVGWriter, _ text: String, correct: Bool, x: Double, y: Double) {
        svg.element(
            "text",
            [
                SVGWriter.x(x + imageSize / 2), SVGWriter.y(y + 14), ("text-anchor", "middle"), ("font-size", "12"),
                ("fill", correct ? Palette.text : "#D55E00"), ("font-weight", correct ? "normal" : "bold"),
            ], text: "pred " + PlotLayout.shortened(text) + (correct ? "" : " ✗"))
    }
}
