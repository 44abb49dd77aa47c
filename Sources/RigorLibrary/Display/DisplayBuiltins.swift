// DisplayBuiltins: RichDisplay's charts and tables as script values — `Plot`, `Heatmap`, `ImageGrid`, `Table` —
// and `save(x, to:)`. (`display(x)` and its handle are the kernel's: they need the notebook.)
import Foundation
import RichDisplay
import RigorScript
import TensorCore

extension RigorLibrary {
    static func registerDisplay(in registry: BuiltinRegistry) {
        registry.beginFamily("Display")
        registerNotebookOutput(in: registry)
        for style in ["solid", "dashed", "dotted"] { registry.registerImplicitMember(style, doc: "A \(style) line.") }
        registry.registerImplicitMember("log", doc: "A logarithmic axis.")
        registerPlot(in: registry)

        let heatmap = TypeDescriptor("Heatmap", doc: "A matrix as coloured cells (an SVG image).")
        heatmap.initializer(
            [
                param(nil, "matrix", "[[Double]] or Tensor"), param("labels", "labels", "[String]?", default: .nil),
                param("title", "title", "String", default: .string("")),
                param("diverging", "diverging", "Bool", default: .bool(false)),
            ],
            doc: "A heatmap of a matrix (or an image tensor such as `[1, 8, 8]`); `diverging` colours negative "
                + "values blue and positive red, symmetric around zero.",
            example: "Heatmap(digit.features, title: \"input\")"
        ) { arguments, _ in
            let labels = try arguments.strings(1)
            var map = Heatmap(try arguments.matrix(0), labels: labels, title: try arguments.string(2))
            if try arguments.bool(3) { map.colorScale = .diverging }
            return .object(DisplayObject("Heatmap", map))
        }
        registry.register(heatmap)

        let grid = TypeDescriptor("ImageGrid", doc: "Images in a grid with captions (an SVG image).")
        grid.initializer(
            [
                param(nil, "images", "Tensor or Dataset"), param("labels", "labels", "[Any]?", default: .nil),
                param("title", "title", "String", default: .string("")),
                param("columns", "columns", "Int", default: .int(10)),
            ],
            doc: "A grid of grayscale images from a tensor `[N, H, W]` or `[N, 1, H, W]`, or a dataset's first 100 "
                + "examples (captioned with their class names or labels unless `labels` are given).",
            example: "ImageGrid(data.test, title: \"test digits\")"
        ) { arguments, _ in
            var images: Tensor
            var captions = try arguments.strings(1)
            if case .object(let set as DatasetObject) = arguments[0] {
                let count = min(set.data.count, 100)
                images = try engine { try set.data.features.sliced(alongAxis: 0, from: 0, to: count) }
                if captions.isEmpty { captions = set.data.labels.prefix(count).map(set.className) }
            } else {
                images = try arguments.tensor(0)
            }
            let shape = images.shape
            guard shape.count >= 3, shape.dropFirst().dropLast(2).allSatisfy({ $0 == 1 }) else {
                throw BuiltinError(
                    .shape, "expected images [N, H, W] or [N, 1, H, W], got \(TensorError.format(shape: shape))",
                    argument: 0)
            }
            let (height, width) = (shape[shape.count - 2], shape[shape.count - 1])
            let scalars = images.scalars.map(Double.init)
            let flat = stride(from: 0, to: scalars.count, by: height * width).map {
                Array(scalars[$0..<$0 + height * width])
            }
            var value = ImageGrid(
                flat: flat, height: height, width: width, captions: captions, title: try arguments.string(2))
            value.columns = max(1, try arguments.int(3))
            return .object(DisplayObject("ImageGrid", value))
        }
        registry.register(grid)

        let table = TypeDescriptor("Table", doc: "Rows of values as an HTML table (also CSV and JSON with `save`).")
        table.initializer(
            [param(nil, "rows", "[[String: Any]]"), param("title", "title", "String", default: .string(""))],
            doc: "A table from an array of dictionaries, one per row; the columns are the keys in first-seen order.",
            example: "Table(results, title: \"Grid search\")"
        ) { arguments, _ in
            let rows = try arguments.array(0).map { row -> [(String, TableCell)] in
                guard case .dictionary(let entries) = row else {
                    throw BuiltinError(.type, "each row is a dictionary, not '\(row.typeName)'", argument: 0)
                }
                return entries.map { ($0.key.description, tableCell($0.value)) }
            }
            return .object(DisplayObject("Table", Table(rows: rows, title: try arguments.string(1))))
        }
        registry.register(table)

        registry.global(
            "save", [param(nil, "value", "Plot, Table, Heatmap, …"), param("to", "path", "String")], returns: "Void",
            doc: "Writes a chart or table to a file in the format its extension names: `.svg`, `.html`, `.csv`, "
                + "`.json` or `.txt`.",
            example: "save(chart, to: \"loss.svg\")"
        ) { arguments, _ in
            guard case .object(let object) = arguments[0], let rich = object as? MIMERepresentable else {
                throw BuiltinError(.type, "'\(arguments[0].typeName)' cannot be saved as a file", argument: 0)
            }
            // The RichDisplay value itself, so that a table can be written as CSV or JSON.
            var value: any MIMERepresentable = rich
            if let display = object as? DisplayObject { value = display.value }
            if let chart = object as? PlotObject { value = chart.plot }
            let path = try arguments.string(1)
            do {
                try DisplayFile.save(value, to: path)
            } catch {
                throw BuiltinError(.io, String(describing: error), argument: 1)
            }
            return .nil
        }
    }

    private static func registerPlot(in registry: BuiltinRegistry) {
        let type = TypeDescriptor("Plot", doc: "A line, scatter, bar or histogram chart (an SVG image).")
        type.initializer(
            [
                param("title", "title", "String", default: .string("")),
                param("x", "x", "String", default: .string("")),
                param("y", "y", "String", default: .string("")),
                param(
                    "yScale", "yScale", "Scale", default: .implicitMember(ImplicitMember(name: "linear")),
                    text: ".linear"),
            ],
            doc: "An empty chart with a title and axis labels; `yScale: .log` for a logarithmic y axis.",
            example: "let chart = Plot(title: \"Loss per epoch\", x: \"epoch\", y: \"cross-entropy\")"
        ) { arguments, _ in
            var plot = Plot(title: try arguments.string(0), x: try arguments.string(1), y: try arguments.string(2))
            if try arguments.implicitMember(3, expected: "Scale").name == "log" { plot.yScale = .logarithmic }
            return .object(PlotObject(plot))
        }
        func plot(_ value: Value) throws -> PlotObject { try value.object(PlotObject.self) }
        let style = param(
            "style", "style", "LineStyle", default: .implicitMember(ImplicitMember(name: "solid")), text: ".solid")
        type.define(
            "line", [param(nil, "values", "[Double]"), param("label", "label", "String?", default: .nil), style],
            returns: "Void", doc: "A line through the values at x = 1, 2, 3, … (epochs).",
            example: "chart.line(validLosses, label: \"validation\", style: .dashed)"
        ) { receiver, arguments, _ in
            try plot(receiver).plot.line(
                try arguments.numbers(0), label: try arguments.optionalString(1), style: try arguments.lineStyle(2))
            return .nil
        }
        type.define(
            "line",
            [
                param("x", "x", "[Double]"), param("y", "y", "[Double]"),
                param("label", "label", "String?", default: .nil),
                style,
            ],
            returns: "Void", doc: "A line through the points (x[i], y[i]).",
            example: "chart.line(x: [1, 2, 3], y: [0.5, 0.3, 0.2], label: \"train\")"
        ) { receiver, arguments, _ in
            try plot(receiver).plot.line(
                x: try arguments.numbers(0), y: try arguments.numbers(1), label: try arguments.optionalString(2),
                style: try arguments.lineStyle(3))
            return .nil
        }
        type.define(
            "scatter",
            [
                param("x", "x", "[Double]"), param("y", "y", "[Double]"),
                param("label", "label", "String?", default: .nil),
            ],
            returns: "Void", doc: "Points without a line.", example: "chart.scatter(x: xs, y: ys, label: \"data\")"
        ) { receiver, arguments, _ in
            try plot(receiver).plot.scatter(
                x: try arguments.numbers(0), y: try arguments.numbers(1), label: try arguments.optionalString(2))
            return .nil
        }
        type.define(
            "bar",
            [
                param(nil, "values", "[Double]"), param("categories", "categories", "[String]"),
                param("label", "label", "String?", default: .nil),
            ],
            returns: "Void", doc: "Bars, one per category.",
            example: "chart.bar([0.91, 0.95], categories: [\"MLP\", \"CNN\"])"
        ) { receiver, arguments, _ in
            try plot(receiver).plot.bar(
                try arguments.numbers(0), categories: try arguments.strings(1), label: try arguments.optionalString(2))
            return .nil
        }
        type.define(
            "histogram",
            [
                param(nil, "values", "[Double]"), param("bins", "bins", "Int?", default: .nil),
                param("label", "label", "String?", default: .nil),
            ],
            returns: "Void",
            doc: "A histogram of the values: exactly `bins` equal-width bins from the smallest value to the largest "
                + "(as NumPy and matplotlib), or, without `bins`, Sturges' rule widened to round 1-2-5 edges.",
            example: "chart.histogram(model.parameters[0].toArray().flatMap { $0 }, bins: 30)"
        ) { receiver, arguments, _ in
            let bins: Bins = try arguments.optionalInt(1).map { .count($0) } ?? .auto
            try plot(receiver).plot.histogram(
                try arguments.numbers(0), bins: bins, label: try arguments.optionalString(2))
            return .nil
        }
        type.define(
            "band",
            [
                param("lower", "lower", "[Double]"), param("upper", "upper", "[Double]"),
                param("label", "label", "String?", default: .nil),
            ],
            returns: "Void", doc: "A shaded band between two series at x = 1, 2, 3, …",
            example: "chart.band(lower: low, upper: high, label: \"±1 std\")"
        ) { receiver, arguments, _ in
            try plot(receiver).plot.band(
                lower: try arguments.numbers(0), upper: try arguments.numbers(1), label: try arguments.optionalString(2)
            )
            return .nil
        }
        for (name, axis, example) in [
            ("markX", "vertical", "chart.markX(validLosses.argmin() + 1, label: \"best\")"),
            ("markY", "horizontal", "chart.markY(0.1, label: \"target loss\")"),
        ] {
            type.define(
                name, [param(nil, "value", "Double"), param("label", "label", "String?", default: .nil)],
                returns: "Void", doc: "A \(axis) reference line with an optional label.", example: example
            ) { receiver, arguments, _ in
                let (value, label) = (try arguments.double(0), try arguments.optionalString(1))
                if name == "markX" {
                    try plot(receiver).plot.markX(value, label: label)
                } else {
                    try plot(receiver).plot.markY(value, label: label)
                }
                return .nil
            }
        }
        registry.register(type)
    }
}
