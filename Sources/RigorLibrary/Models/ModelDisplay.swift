// ModelDisplay: a model as its HTML summary table.
import NeuralNetworks
import RichDisplay
import RigorScript
import TensorCore

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
