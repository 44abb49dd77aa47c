// ModelDisplay: a model as its HTML summary table.
import NeuralNetworks
import RichDisplay
import RigorScript
import TensorCore

extension ModelObject: MIMERepresentable {
    /// The summary table, as HTML and text.
    var mimeBundle: MIMEBundle { summaryTable.mimeBundle }
}
