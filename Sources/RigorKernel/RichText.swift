import RichDisplay
import RigorScript

/// Text in a rich format (HTML, Markdown, SVG), shown rendered by Jupyter: what `HTML(…)`,
/// `Markdown(…)` and `SVG(…)` return.
final class RichText: NativeObject, MIMERepresentable {
    let kind: String
    let text: String
    let mimeType: String

    init(kind: String, text: String, mimeType: String) {
        self.kind = kind
        self.text = text
        self.mimeType = mimeType
    }

    var typeName: String { kind }

    var description: String {
        let firstLine = text.split(separator: "\n").first.map(String.init) ?? ""
        return "\(kind)(\(firstLine.count > 60 ? String(firstLine.prefix(60)) + "…" : firstLine))"
    }

    var mimeBundle: MIMEBundle {
        MIMEBundle(data: [MIMEType.plainText: description, mimeType: text])
    }
}
