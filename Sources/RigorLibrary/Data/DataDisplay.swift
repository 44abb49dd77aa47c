// DataDisplay: a dataset or a split as an HTML table of its parts.
import NeuralNetworks
import RichDisplay
import RigorScript
import TensorCore

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
