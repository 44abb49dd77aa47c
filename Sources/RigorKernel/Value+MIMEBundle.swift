import RichDisplay
import RigorScript

extension Value {
    /// The value as Jupyter shows it: an object that is `MIMERepresentable` (a chart, a table,
    /// `HTML(…)`) with its own bundle, anything else as the text a cell result shows.
    var mimeBundle: MIMEBundle {
        if case .object(let object) = self, let rich = object as? MIMERepresentable { return rich.mimeBundle }
        return MIMEBundle(plainText: debugDescription)
    }
}
