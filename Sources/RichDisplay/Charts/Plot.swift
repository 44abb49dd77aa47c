/// Plot: a chart model (series, reference lines, axes) that renders to SVG and plain text.
///
///     var chart = Plot(title: "Loss per epoch", x: "epoch", y: "cross-entropy")
///     chart.line(trainLosses, label: "train")
///     chart.line(validLosses, label: "validation", style: .dashed)
///     chart.markX(7, label: "best")
///     chart.mimeBundle   // image/svg+xml + text/plain
public struct Plot: Hashable, Sendable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    /// Size of the SVG in CSS pixels.
    public var width: Double = 640
    public var height: Double = 400
    public var xScale: AxisScale = .linear
    public var yScale: AxisScale = .linear
    public private(set) var series: [Series] = []
    public private(set) var references: [ReferenceLine] = []

    public init(title: String = "", x: String = "", y: String = "") {
        self.title = title
        self.xLabel = x
        self.yLabel = y
    }

    /// A line through `y` at x = 1, 2, 3, … (epochs count from one).
    public mutating func line(
        _ y: [Double], label: String? = nil, style: LineStyle = .solid, marker: Marker = .none
    ) {
        line(x: y.indices.map { Double($0 + 1) }, y: y, label: label, style: style, marker: marker)
    }

    /// A line through the points (x[i], y[i]); extra values in the longer array are ignored.
    public mutating func line(
        x: [Double], y: [Double], label: String? = nil, style: LineStyle = .solid, marker: Marker = .none
    ) {
        append(.line, x: x, y: y, label: label, style: style, marker: marker)
    }

    /// Points without a line.
    public mutating func scatter(x: [Double], y: [Double], label: String? = nil, marker: Marker = .circle) {
        append(.scatter, x: x, y: y, label: label, style: .solid, marker: marker == .none ? .circle : marker)
    }

    /// Bars at categories: `chart.bar([0.91, 0.95], categories: ["MLP", "CNN"])`.
    /// All bar series of a plot share the categories of the first one and sit side by side.
    public mutating func bar(_ values: [Double], categories: [String], label: String? = nil) {
        var entry = Series(kind: .bar, x: values.indices.map(Double.init), y: values, label: label)
        entry.categories = categories
        entry.colorIndex = nextColorIndex()
        series.append(entry)
    }

    /// A histogram of `values`: counts per bin, bins chosen by `bins`.
    public mutating func histogram(_ values: [Double], bins: Bins = .auto, label: String? = nil) {
        let histogram = Histogram(values, bins: bins)
        var entry = Series(kind: .histogram, x: histogram.edges, y: histogram.counts.map(Double.init), label: label)
        entry.colorIndex = nextColorIndex()
        series.append(entry)
    }

    /// A shaded band between `lower` and `upper` (a min–max range or a confidence interval).
    public mutating func band(x: [Double], lower: [Double], upper: [Double], label: String? = nil) {
        let count = min(x.count, lower.count, upper.count)
        var entry = Series(kind: .band, x: Array(x.prefix(count)), y: Array(upper.prefix(count)), label: label)
        entry.lower = Array(lower.prefix(count))
        entry.colorIndex = nextColorIndex()
        series.append(entry)
    }

    /// A band at x = 1, 2, 3, …
    public mutating func band(lower: [Double], upper: [Double], label: String? = nil) {
        let count = min(lower.count, upper.count)
        band(x: (0..<count).map { Double($0 + 1) }, lower: lower, upper: upper, label: label)
    }

    /// A vertical reference line, e.g. the best epoch.
    public mutating func markX(_ x: Double, label: String? = nil) {
        references.append(ReferenceLine(axis: .x, value: x, label: label))
    }

    /// A horizontal reference line, e.g. a target accuracy.
    public mutating func markY(_ y: Double, label: String? = nil) {
        references.append(ReferenceLine(axis: .y, value: y, label: label))
    }

    private mutating func append(
        _ kind: Series.Kind, x: [Double], y: [Double], label: String?, style: LineStyle, marker: Marker
    ) {
        let count = min(x.count, y.count)
        var entry = Series(kind: kind, x: Array(x.prefix(count)), y: Array(y.prefix(count)), label: label)
        entry.style = style
        entry.marker = marker
        entry.colorIndex = nextColorIndex()
        series.append(entry)
    }

    /// Bands do not take a colour of their own: a band shares the colour of the series after it,
    /// so `band` then `line` draws a line in its own shaded range.
    private func nextColorIndex() -> Int { series.filter { $0.kind != .band }.count }
}

extension Plot {
    /// One thing drawn on a plot.
    public struct Series: Hashable, Sendable {
        public enum Kind: String, Hashable, Sendable {
            case line, scatter, bar, histogram, band
        }
        public var kind: Kind
        /// x positions; for a histogram the bin edges (one more than `y`).
        public var x: [Double]
        /// y values; for a band its upper edge.
        public var y: [Double]
        public var label: String?
        public var style: LineStyle = .solid
        public var marker: Marker = .none
        /// For a band, its lower edge.
        public var lower: [Double] = []
        /// For bars, the category names.
        public var categories: [String] = []
        public var colorIndex: Int = 0

        public var color: String { Palette.color(at: colorIndex) }
    }

    /// A labelled vertical (`.x`) or horizontal (`.y`) line across the plot.
    public struct ReferenceLine: Hashable, Sendable {
        public enum Axis: Hashable, Sendable { case x, y }
        public var axis: Axis
        public var value: Double
        public var label: String?
    }
}

public enum AxisScale: Hashable, Sendable {
    case linear
    /// Base-10 logarithmic; values ≤ 0 are skipped.
    case logarithmic
}

public enum LineStyle: String, Hashable, Sendable {
    case solid, dashed, dotted
}

public enum Marker: String, Hashable, Sendable {
    case none, circle, square
}
