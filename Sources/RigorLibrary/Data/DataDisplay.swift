// DataDisplay: a dataset or a split as an HTML table of its parts.
import NeuralNetworks
import RichDisplay
import RigorScript
import TensorCore

extension SplitObject: MIMERepresentable {
    var mimeBundle: MIMEBundle { table.mimeBundle }
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

extension ClassCountsObject: MIMERepresentable {
    /// The counts' table, as HTML and text.
    var mimeBundle: MIMEBundle { table.mimeBundle }
}
