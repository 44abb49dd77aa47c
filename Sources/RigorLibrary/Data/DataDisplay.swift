// DataDisplay: a dataset or a split as an HTML table of its parts.
import NeuralNetworks
import RichDisplay
import RigorScript
import TensorCore

extension SplitObject: MIMERepresentable {
    var mimeBundle: MIMEBundle { table.mimeBundle }
}

extension DatasetObject: MIMERepresentable {
    /// One row (examples, classes, feature shape) as HTML; the one-line description as text.
    var mimeBundle: MIMEBundle {
        let table = Table(
            columns: ["rows", "classes", "shape"],
            rows: [
                [
                    .integer(data.count), classCount.map { .integer($0) } ?? .text("-"),
                    .text(TensorError.format(shape: featureShape)),
                ]
            ], title: name)
        return MIMEBundle(html: table.html, plainText: description)
    }
}

extension ClassCountsObject: MIMERepresentable {
    /// The counts' table, as HTML and text.
    var mimeBundle: MIMEBundle { table.mimeBundle }
}
