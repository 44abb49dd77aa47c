// Display: rich representations of library values with RichDisplay: HTML tables (model summary, small tensor,
// splits, reports), an SVG loss chart for a History, an SVG heatmap for a confusion matrix; text/plain always.
import NeuralNetworks
import RichDisplay
import RigorScript
import TensorCore

/// A RichDisplay table of text cells (numbers become numeric cells, so they align right).
func htmlTable(title: String?, headers: [String], rows: [[String]], footer: [String]? = nil) -> String {
    func cell(_ text: String) -> TableCell {
        if text.isEmpty { return .empty }
        if let integer = Int(text) { return .integer(integer) }
        if let number = Double(text) { return .number(number) }
        return .text(text)
    }
    var table = Table(columns: headers, rows: rows.map { $0.map(cell) }, title: title ?? "")
    table.footer = footer?.map(cell)
    return table.html
}

func bundle(_ text: String, html: String) -> MIMEBundle {
    MIMEBundle(html: html, plainText: text)
}

extension TensorObject: MIMERepresentable {
    /// A matrix or vector of at most 20 × 20 as an HTML table; anything larger as its statistics and a preview of its
    /// corners (the first matrix of a higher-rank tensor), like NumPy's summarized printing.
    var mimeBundle: MIMEBundle {
        let tensor = self.tensor
        guard tensor.rank >= 1 else { return MIMEBundle(plainText: description) }
        guard tensor.rank > 2 || tensor.scalarCount > 400 else {
            let columns = tensor.rank == 2 ? tensor.shape[1] : tensor.shape[0]
            let scalars = tensor.scalars.map { format(Double($0)) }
            let rows = stride(from: 0, to: scalars.count, by: max(columns, 1)).map { start in
                Array(scalars[start..<min(start + columns, scalars.count)])
            }
            return bundle(
                description,
                html: htmlTable(
                    title: "Tensor \(TensorError.format(shape: tensor.shape))",
                    headers: (0..<columns).map(String.init), rows: rows))
        }
        return bundle(description, html: Self.summaryHTML(tensor))
    }

    /// Statistics (over the finite values; NaN and ±∞ counted apart) and a corner preview, as two HTML tables.
    static func summaryHTML(_ tensor: Tensor) -> String {
        let shape = TensorError.format(shape: tensor.shape)
        // Read in place, without a copy: the tensor may be most of the memory limit.
        return tensor.withUnsafeBufferPointer { scalars in
            let finite = scalars.lazy.filter(\.isFinite).map(Double.init)
            let count = Double(finite.count)
            let mean = count > 0 ? finite.reduce(0, +) / count : .nan
            let std = count > 0 ? (finite.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / count).squareRoot() : .nan
            let nan = scalars.lazy.filter(\.isNaN).count
            let infinite = scalars.lazy.filter(\.isInfinite).count
            var statistics = [
                ["elements", String(scalars.count)], ["min", finite.min().map { format($0) } ?? "-"],
                ["max", finite.max().map { format($0) } ?? "-"], ["mean", format(mean)], ["std", format(std)],
            ]
            if nan > 0 { statistics.append(["NaN", String(nan)]) }
            if infinite > 0 { statistics.append(["±inf", String(infinite)]) }
            // The preview: a matrix (the first one of a higher-rank tensor, a row for a vector), its corners.
            let rowCount = tensor.rank >= 2 ? tensor.shape[tensor.rank - 2] : 1
            let columnCount = tensor.shape[tensor.rank - 1]
            let leading = tensor.rank > 2 ? String(repeating: "0, ", count: tensor.rank - 2) : ""
            func indices(_ n: Int, head: Int, tail: Int) -> [Int?] {
                n <= head + tail + 1 ? (0..<n).map { $0 } : (0..<head).map { $0 } + [nil] + (n - tail..<n).map { $0 }
            }
            let rowIndices = indices(rowCount, head: 5, tail: 2)
            let columnIndices = indices(columnCount, head: 6, tail: 2)
            let rows = rowIndices.map { row -> [String] in
                // The skipped rows: a "⋮" in the index column only, so the value columns stay numeric (right-aligned).
                guard let row else { return ["⋮"] + columnIndices.map { _ in "" } }
                return [String(row)]
                    + columnIndices.map { column in
                        column.map { format(Double(scalars[row * columnCount + $0])) } ?? "…"
                    }
            }
            let preview =
                tensor.rank == 1 ? "" : tensor.rank == 2 ? "" : " (the matrix [\(leading):, :])"
            return htmlTable(title: "Tensor \(shape)", headers: ["statistic", "value"], rows: statistics)
                + htmlTable(
                    title: "preview\(preview)", headers: [""] + columnIndices.map { $0.map(String.init) ?? "…" },
                    rows: rows)
        }
    }
}

extension ModelObject: MIMERepresentable {
    /// The summary table: layer, output shape (once an input shape is known), parameters, total.
    var mimeBundle: MIMEBundle {
        let total = String(model.parameterCount)
        if let inputShape, let rows = try? model.summary(inputShape: inputShape) {
            let shape = { (s: [Int]) in "[" + s.map { $0 < 0 ? "N" : String($0) }.joined(separator: ", ") + "]" }
            return bundle(
                description,
                html: htmlTable(
                    title: "Sequential", headers: ["layer", "output shape", "parameters"],
                    rows: rows.enumerated().map { index, row in
                        [
                            "\(row.name) " + (index < layerSpecs.count ? layerSpecs[index] : row.kind),
                            shape(row.outputShape), String(row.parameterCount),
                        ]
                    }, footer: ["total", "", total]))
        }
        return bundle(
            description,
            html: htmlTable(
                title: "Sequential", headers: ["layer", "parameters"],
                rows: model.children.enumerated().map { index, child in
                    [
                        "\(child.name) " + (index < layerSpecs.count ? layerSpecs[index] : child.layer.kind),
                        String(child.layer.parameterCount),
                    ]
                }, footer: ["total", total]))
    }
}

extension SplitObject: MIMERepresentable {
    var mimeBundle: MIMEBundle {
        bundle(
            description,
            html: htmlTable(
                title: "\(train.name) split", headers: ["part", "rows", "classes", "shape"],
                rows: parts.map { name, part in
                    [
                        name, String(part.data.count), part.classCount.map(String.init) ?? "-",
                        TensorError.format(shape: part.featureShape),
                    ]
                }))
    }
}

extension DatasetObject: MIMERepresentable {
    var mimeBundle: MIMEBundle {
        bundle(
            description,
            html: htmlTable(
                title: name, headers: ["rows", "classes", "shape"],
                rows: [
                    [
                        String(data.count), classCount.map(String.init) ?? "-",
                        TensorError.format(shape: featureShape),
                    ]
                ]))
    }
}

extension HistoryObject: MIMERepresentable {
    /// The loss per epoch, train against validation, the best epoch marked (an SVG chart).
    var mimeBundle: MIMEBundle {
        let chart = Plot.training(
            metric: "loss", train: history["loss"], validation: history["val_loss"], bestEpoch: bestEpoch)
        return MIMEBundle(svg: chart.svg, plainText: description)
    }
}

extension ReportObject: MIMERepresentable {
    var mimeBundle: MIMEBundle {
        func row(_ name: String, _ s: ClassScores) -> [String] {
            [
                name, format(s.precision, digits: 3), format(s.recall, digits: 3), format(s.f1, digits: 3),
                String(s.support),
            ]
        }
        var rows = report.perClass.enumerated().map { row(classNames[$0.offset], $0.element) }
        rows.append(["accuracy", "", "", format(report.accuracy, digits: 3), String(report.macro.support)])
        rows.append(row("macro avg", report.macro))
        rows.append(row("weighted avg", report.weighted))
        return bundle(
            description,
            html: htmlTable(
                title: "Classification report", headers: ["class", "precision", "recall", "f1", "support"], rows: rows))
    }
}

extension ConfusionMatrixObject: MIMERepresentable {
    /// A heatmap with counts, actual classes down, predicted across (an SVG chart).
    var mimeBundle: MIMEBundle {
        let heatmap = Heatmap(
            counts.map { $0.map(Double.init) }, labels: classNames,
            title: "Confusion matrix", x: "predicted", y: "actual")
        return MIMEBundle(svg: heatmap.svg, plainText: description)
    }
}

extension ROCObject: MIMERepresentable {
    /// The curve with the chance diagonal; the AUC in the legend (an SVG chart).
    var mimeBundle: MIMEBundle {
        var chart = Plot(
            title: "ROC curve, \(positiveName) vs rest", x: "false positive rate", y: "true positive rate")
        chart.line(
            x: curve.falsePositiveRates, y: curve.truePositiveRates, label: "AUC \(format(curve.area, digits: 3))")
        chart.line(x: [0, 1], y: [0, 1], label: "chance", style: .dotted)
        return MIMEBundle(svg: chart.svg, plainText: description)
    }
}

extension CalibrationObject: MIMERepresentable {
    /// The reliability diagram: each non-empty bin's mean prediction against the observed rate, the diagonal of
    /// perfect calibration, ECE and Brier score in the title (an SVG chart); the bins as text.
    var mimeBundle: MIMEBundle {
        let filled = calibration.bins.filter { $0.count > 0 }
        let total = filled.reduce(0) { $0 + $1.count }
        var chart = Plot(
            title: "Reliability: ECE \(format(calibration.expectedCalibrationError, digits: 3)), "
                + "Brier \(format(brierScore, digits: 3))",
            x: "mean predicted \(probabilityName)", y: outcomeName)
        chart.line(x: [0, 1], y: [0, 1], label: "perfectly calibrated", style: .dotted)
        chart.line(
            x: filled.map(\.meanConfidence), y: filled.map(\.accuracy),
            label: "model, \(total) examples",
            marker: .circle)
        return MIMEBundle(svg: chart.svg, plainText: description)
    }
}
