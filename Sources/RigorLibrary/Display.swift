// Display: rich representations of library values (HTML tables, with text/plain always present).
// Charts (a History's loss curve, a confusion-matrix heatmap) wait for RichDisplay's chart API.
import NeuralNetworks
import RichDisplay
import RigorScript
import TensorCore

extension RigorLibrary {
    /// The MIME bundle of a library value (a model summary, a small tensor, a split, a history, a
    /// report, a confusion matrix), or nil for values the library does not render.
    public static func mimeBundle(for value: Value) -> MIMEBundle? {
        if case .object(let object) = value, let rich = object as? MIMERepresentable { return rich.mimeBundle }
        return nil
    }
}

/// An HTML table with a header row; cells are escaped, numbers right-aligned.
func htmlTable(title: String?, headers: [String], rows: [[String]], footer: [String]? = nil) -> String {
    func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
    func cell(_ tag: String, _ text: String) -> String {
        let numeric = Double(text) != nil
        return "<\(tag)\(numeric ? " style=\"text-align: right\"" : "")>\(escape(text))</\(tag)>"
    }
    var html = "<table class=\"rigor-table\">"
    if let title { html += "<caption>\(escape(title))</caption>" }
    html += "<thead><tr>" + headers.map { cell("th", $0) }.joined() + "</tr></thead><tbody>"
    for row in rows { html += "<tr>" + row.map { cell("td", $0) }.joined() + "</tr>" }
    html += "</tbody>"
    if let footer { html += "<tfoot><tr>" + footer.map { cell("td", $0) }.joined() + "</tr></tfoot>" }
    return html + "</table>"
}

func bundle(_ text: String, html: String) -> MIMEBundle {
    MIMEBundle(data: [MIMEType.plainText: text, MIMEType.html: html])
}

extension TensorObject: MIMERepresentable {
    /// A matrix or vector of at most 20 × 20 as an HTML table; anything else as text.
    var mimeBundle: MIMEBundle {
        let tensor = self.tensor
        guard tensor.rank >= 1, tensor.rank <= 2, tensor.scalarCount <= 400 else {
            return MIMEBundle(plainText: description)
        }
        let columns = tensor.rank == 2 ? tensor.shape[1] : tensor.shape[0]
        let scalars = tensor.scalars.map { format(Double($0)) }
        let rows = stride(from: 0, to: scalars.count, by: max(columns, 1)).map { start in
            Array(scalars[start..<min(start + columns, scalars.count)])
        }
        return bundle(
            description,
            html: htmlTable(
                title: "Tensor \(TensorError.format(shape: tensor.shape))", headers: (0..<columns).map(String.init),
                rows: rows))
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
    /// The epochs as a table (a loss chart once RichDisplay's plots are available).
    var mimeBundle: MIMEBundle {
        let names = history.metricNames
        return bundle(
            description,
            html: htmlTable(
                title: history.stopReason.map { "History (\($0))" } ?? "History", headers: ["epoch"] + names,
                rows: history.epochs.map { logs in
                    [String(logs.epoch + 1)] + names.map { name in logs[name].map { format($0) } ?? "" }
                }))
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
        var rows = report.perClass.enumerated().map { row(String($0.offset), $0.element) }
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
    /// The counts as a table (a heatmap once RichDisplay's heatmaps are available).
    var mimeBundle: MIMEBundle {
        bundle(
            description,
            html: htmlTable(
                title: "Confusion matrix (rows: actual, columns: predicted)",
                headers: [""] + (0..<counts.count).map(String.init),
                rows: counts.enumerated().map { [String($0.offset)] + $0.element.map(String.init) }))
    }
}
