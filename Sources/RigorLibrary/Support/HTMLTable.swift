// HTMLTable: the HTML table and bundle every library display is built from.
import RichDisplay

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
