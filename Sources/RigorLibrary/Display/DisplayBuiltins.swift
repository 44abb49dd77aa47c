// DisplayBuiltins: RichDisplay's charts and tables as script values — `Plot`, `Heatmap`, `ImageGrid`, `Table` —
// and `save(x, to:)`. (`display(x)` and its handle are the kernel's: they need the notebook.)
import Foundation
import RichDisplay
import RigorScript
import TensorCore

extension RigorLibrary {
    /// `style: .dashed`: how a line is drawn.
    static let lineStyles = Choices<LineStyle>(
        "LineStyle", noun: "style",
        [LineStyle.solid, .dashed, .dotted].map { style in
            Choices.Choice(style.rawValue, doc: "A \(style.rawValue) line.") { style }
        })

    /// `yScale: .log`: how an axis maps values.
    static let axisScales = Choices<AxisScale>(
        "Scale", noun: "scale",
        [
            Choices.Choice("linear", doc: "A linear axis.") { .linear },
            Choices.Choice("log", doc: "A logarithmic axis.") { .logarithmic },
        ])

    /// `Heatmap`, `ImageGrid` and `Table` share one Swift class, so their initializers return the object as a `Value`:
    /// the signature then reads `-> Heatmap` (the type's name), not the class's `Display`.
    static func registerDisplay(in registry: BuiltinRegistry) {
        registry.beginFamily("Display")
        registerNotebookOutput(in: registry)
        registry.register(lineStyles)
        registry.register(axisScales)
        registerPlot(in: registry)

        registry.type(named: "Heatmap", of: DisplayObject.self, doc: "A matrix as coloured cells (an SVG image).")
            .initializer(
                Arg<[[Double]]>(nil, "matrix", type: "[[Double]] or Tensor") { value, context in
                    try Tensor.decode(value, context: context).map(matrix)
                },
                Arg<Texts?>("labels", default: nil), Arg("title", default: ""), Arg("diverging", default: false),
                doc: "A heatmap of a matrix (or an image tensor such as `[1, 8, 8]`); `diverging` colours negative "
                    + "values blue and positive red, symmetric around zero.",
                example: "Heatmap(digit.features, title: \"input\")"
            ) { _, matrix, labels, title, diverging in
                var map = Heatmap(matrix, labels: labels?.values ?? [], title: title)
                if diverging { map.colorScale = .diverging }
                return DisplayObject("Heatmap", map).scriptValue
            }

        registry.type(named: "ImageGrid", of: DisplayObject.self, doc: "Images in a grid with captions (an SVG image).")
            .initializer(
                Arg<ImageSource>(nil, "images", type: "Tensor or Dataset") { value, context in
                    if case .object(let set as DatasetObject) = value { return .dataset(set) }
                    return try Tensor.decode(value, context: context).map(ImageSource.tensor)
                },
                Arg<Texts?>("labels", type: "[Any]?", default: nil), Arg("title", default: ""),
                Arg("columns", default: 10),
                doc: "A grid of grayscale images from a tensor `[N, H, W]` or `[N, 1, H, W]`, or a dataset's first 100 "
                    + "examples (captioned with their class names or labels unless `labels` are given).",
                example: "ImageGrid(data.test, title: \"test digits\")"
            ) { _, source, labels, title, columns in
                var images: Tensor
                var captions = labels?.values ?? []
                switch source {
                case .dataset(let set):
                    let count = min(set.data.count, 100)
                    images = try engine { try set.data.features.sliced(alongAxis: 0, from: 0, to: count) }
                    if captions.isEmpty { captions = set.data.labels.prefix(count).map(set.className) }
                case .tensor(let tensor):
                    images = tensor
                }
                let shape = images.shape
                guard shape.count >= 3, shape.dropFirst().dropLast(2).allSatisfy({ $0 == 1 }) else {
                    throw BuiltinError(
                        .shape, "expected images [N, H, W] or [N, 1, H, W], got \(TensorError.format(shape: shape))",
                        parameter: "images")
                }
                let (height, width) = (shape[shape.count - 2], shape[shape.count - 1])
                let scalars = images.scalars.map(Double.init)
                let flat = stride(from: 0, to: scalars.count, by: height * width).map {
                    Array(scalars[$0..<$0 + height * width])
                }
                var value = ImageGrid(flat: flat, height: height, width: width, captions: captions, title: title)
                value.columns = max(1, columns)
                return DisplayObject("ImageGrid", value).scriptValue
            }

        registry.type(
            named: "Table", of: DisplayObject.self,
            doc: "Rows of values as an HTML table (also CSV and JSON with `save`)."
        ).initializer(
            Arg<[[(String, TableCell)]]>(nil, "rows", type: "[[String: Any]]") { value, _ in
                guard case .array(let rows) = value else { return nil }
                return try rows.map { row in
                    guard let entries = row.dictionaryEntries else {
                        throw BuiltinError(.type, "each row is a dictionary, not '\(row.typeName)'")
                    }
                    return entries.map { ($0.key.description, tableCell($0.value)) }
                }
            },
            Arg("title", default: ""),
            doc: "A table from an array of dictionaries, one per row; the columns are the keys in first-seen order.",
            example: "Table(results, title: \"Grid search\")"
        ) { _, rows, title in DisplayObject("Table", Table(rows: rows, title: title)).scriptValue
        }

        registry.function(
            "save",
            Arg<NativeObject & MIMERepresentable>(nil, "value", type: "Plot, Table, Heatmap, …") { value, _ in
                guard case .object(let object) = value, let rich = object as? NativeObject & MIMERepresentable else {
                    throw BuiltinError(.type, "'\(value.typeName)' cannot be saved as a file")
                }
                return rich
            },
            Arg<String>("to", "path"),
            Arg<Double>("scale", default: 1, bound: .within(0.1...16)),
            doc: "Writes a chart or table to a file in the format its extension names: `.svg`, `.html`, `.csv`, "
                + "`.json`, `.txt`, `.png` or `.pdf` (a chart rendered by librsvg, `scale` times its size; a table "
                + "printed to PDF by Chromium).",
            example: "save(chart, to: \"loss.png\", scale: 2)"
        ) { _, object, path, scale in
            // The RichDisplay value itself, so that a table can be written as CSV or JSON.
            var value: any MIMERepresentable = object
            if let display = object as? DisplayObject { value = display.value }
            if let chart = object as? PlotObject { value = chart.plot }
            if let backed = object as? TableBacked { value = backed.table }
            do {
                try DisplayFile.save(value, to: path, scale: scale)
            } catch {
                throw BuiltinError(.io, String(describing: error), parameter: "path")
            }
        }
    }

    /// A matrix from a tensor whose extents beyond two are 1 (`[1, 8, 8]` is an 8×8 image).
    private static func matrix(_ tensor: Tensor) throws -> [[Double]] {
        let extents = tensor.shape.filter { $0 != 1 }
        guard extents.count <= 2 else {
            throw BuiltinError(.shape, "expected a matrix, got shape \(TensorError.format(shape: tensor.shape))")
        }
        let columns = extents.last ?? 1
        let scalars = tensor.scalars.map(Double.init)
        return stride(from: 0, to: scalars.count, by: max(columns, 1)).map { Array(scalars[$0..<$0 + columns]) }
    }

    private static func registerPlot(in registry: BuiltinRegistry) {
        let type = registry.type(PlotObject.self, doc: "A line, scatter, bar or histogram chart (an SVG image).")
        type.initializer(
            Arg("title", default: ""), Arg("x", default: ""), Arg("y", default: ""),
            Arg(
                "yScale", choices: axisScales, defaultValue: .implicitMember(ImplicitMember(name: "linear")),
                text: ".linear"),
            doc: "An empty chart with a title and axis labels; `yScale: .log` for a logarithmic y axis.",
            example: "let chart = Plot(title: \"Loss per epoch\", x: \"epoch\", y: \"cross-entropy\")"
        ) { _, title, x, y, yScale in
            var plot = Plot(title: title, x: x, y: y)
            plot.yScale = yScale
            return PlotObject(plot)
        }
        let style = Arg(
            "style", choices: lineStyles, defaultValue: .implicitMember(ImplicitMember(name: "solid")), text: ".solid")
        type.method(
            "line", Arg<Numbers>(nil, "values"), Arg<String?>("label", default: nil), style,
            doc: "A line through the values at x = 1, 2, 3, … (epochs).",
            example: "chart.line(validLosses, label: \"validation\", style: .dashed)"
        ) { chart, _, values, label, style in chart.plot.line(values.values, label: label, style: style) }
        type.method(
            "line", Arg<Numbers>("x"), Arg<Numbers>("y"), Arg<String?>("label", default: nil), style,
            doc: "A line through the points (x[i], y[i]).",
            example: "chart.line(x: [1, 2, 3], y: [0.5, 0.3, 0.2], label: \"train\")"
        ) { chart, _, x, y, label, style in chart.plot.line(x: x.values, y: y.values, label: label, style: style) }
        type.method(
            "scatter", Arg<Numbers>("x"), Arg<Numbers>("y"), Arg<String?>("label", default: nil),
            doc: "Points without a line.", example: "chart.scatter(x: xs, y: ys, label: \"data\")"
        ) { chart, _, x, y, label in chart.plot.scatter(x: x.values, y: y.values, label: label) }
        type.method(
            "bar", Arg<Numbers>(nil, "values"), Arg<Texts>("categories"), Arg<String?>("label", default: nil),
            doc: "Bars, one per category.", example: "chart.bar([0.91, 0.95], categories: [\"MLP\", \"CNN\"])"
        ) { chart, _, values, categories, label in
            chart.plot.bar(values.values, categories: categories.values, label: label)
        }
        type.method(
            "histogram", Arg<Numbers>(nil, "values"), Arg<Int?>("bins", default: nil),
            Arg<String?>("label", default: nil),
            doc: "A histogram of the values: exactly `bins` equal-width bins from the smallest value to the largest "
                + "(as NumPy and matplotlib), or, without `bins`, Sturges' rule widened to round 1-2-5 edges.",
            example: "chart.histogram(model.parameters[0].toArray().flatMap { $0 }, bins: 30)"
        ) { chart, _, values, bins, label in
            chart.plot.histogram(values.values, bins: bins.map { .count($0) } ?? .auto, label: label)
        }
        type.method(
            "band", Arg<Numbers>("lower"), Arg<Numbers>("upper"), Arg<String?>("label", default: nil),
            doc: "A shaded band between two series at x = 1, 2, 3, …",
            example: "chart.band(lower: low, upper: high, label: \"±1 std\")"
        ) { chart, _, lower, upper, label in chart.plot.band(lower: lower.values, upper: upper.values, label: label) }
        type.method(
            "markX", Arg<Double>(nil, "value"), Arg<String?>("label", default: nil),
            doc: "A vertical reference line with an optional label.",
            example: "chart.markX(validLosses.argmin() + 1, label: \"best\")"
        ) { chart, _, value, label in chart.plot.markX(value, label: label) }
        type.method(
            "markY", Arg<Double>(nil, "value"), Arg<String?>("label", default: nil),
            doc: "A horizontal reference line with an optional label.",
            example: "chart.markY(0.1, label: \"target loss\")"
        ) { chart, _, value, label in chart.plot.markY(value, label: label) }
    }
}
