import Foundation

/// Table+Rendering: HTML, aligned plain text, CSV (RFC 4180) and JSON.
extension Table: MIMERepresentable {
    public var mimeBundle: MIMEBundle {
        MIMEBundle(html: html, plainText: plainText)
    }

    /// A cell as the HTML and text views show it: a real number in a column with `decimalPlaces` to that many
    /// places (`0.967`), else to the table's `significantDigits`.
    func shown(_ cell: TableCell, column: Int) -> String {
        if case .number(let value) = cell, value.isFinite, let places = decimalPlaces[columns[column]] {
            return String(format: "%.\(places)f", value)
        }
        return cell.formatted(significantDigits: significantDigits)
    }

    /// An HTML `<table>` with a caption, right-aligned numeric columns and bold best values.
    public var html: String {
        let numeric = columns.indices.map(isNumeric(column:))
        var lines: [String] = []
        lines.append(
            "<table class=\"rigor-table\" style=\"border-collapse: collapse; font-variant-numeric: tabular-nums; margin: 0.5em 0;\">"
        )
        if !title.isEmpty {
            lines.append(
                "<caption style=\"caption-side: top; text-align: left; font-weight: bold; padding: 4px 0; white-space: nowrap;\">"
                    + "\(Markup.escape(title))</caption>")
        }
        lines.append("<thead>")
        var header = "<tr>"
        for (index, column) in columns.enumerated() {
            let align = numeric[index] ? "right" : "left"
            header +=
                "<th style=\"text-align: \(align); padding: 4px 10px; border-bottom: 2px solid #444;\">"
                + "\(Markup.escape(column))</th>"
        }
        lines.append(header + "</tr>")
        lines.append("</thead>")
        lines.append("<tbody>")
        for (rowIndex, row) in rows.enumerated() {
            var line = "<tr>"
            for (index, cell) in row.enumerated() {
                let align = numeric[index] ? "right" : "left"
                var style = "text-align: \(align); padding: 3px 10px; border-bottom: 1px solid #ddd;"
                var text = Markup.escape(shown(cell, column: index))
                if isBest(row: rowIndex, column: index) {
                    style += " font-weight: bold; background: #e8f1f8; color: #111111;"
                    text = "<strong>\(text)</strong>"
                }
                line += "<td style=\"\(style)\">\(text)</td>"
            }
            lines.append(line + "</tr>")
        }
        lines.append("</tbody>")
        if let footer {
            var line = "<tfoot><tr>"
            for (index, cell) in footer.enumerated() {
                let align = numeric[index] ? "right" : "left"
                line +=
                    "<td style=\"text-align: \(align); padding: 3px 10px; border-top: 2px solid #444; font-weight: bold;\">"
                    + "\(Markup.escape(shown(cell, column: index)))</td>"
            }
            lines.append(line + "</tr></tfoot>")
        }
        lines.append("</table>")
        return lines.joined(separator: "\n")
    }

    /// Columns padded to their widest cell; numbers right-aligned, best values marked with `*`.
    ///
    ///     Test accuracy
    ///     model  accuracy
    ///     -----  --------
    ///     MLP      0.9481
    ///     CNN     0.9833*
    public var plainText: String {
        let numeric = columns.indices.map(isNumeric(column:))
        let texts = rows.enumerated().map { rowIndex, row in
            row.enumerated().map { index, cell -> String in
                // In a highlighted column every cell keeps room for the star, so the digits line up.
                let mark = isBest(row: rowIndex, column: index) ? "*" : highlights[columns[index]] == nil ? "" : " "
                return shown(cell, column: index) + mark
            }
        }
        let footerTexts = footer?.enumerated().map { shown($0.element, column: $0.offset) }
        let widths = columns.indices.map { index in
            max(columns[index].count, texts.map { $0[index].count }.max() ?? 0, footerTexts?[index].count ?? 0)
        }
        func pad(_ text: String, _ index: Int) -> String {
            let fill = String(repeating: " ", count: max(0, widths[index] - text.count))
            return numeric[index] ? fill + text : text + fill
        }
        func join(_ cells: [String]) -> String {
            var line = cells.joined(separator: "  ")
            // No trailing blanks (a star's reserved space in the last column).
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }
        var lines: [String] = []
        if !title.isEmpty { lines.append(title) }
        if columns.isEmpty {
            lines.append("(empty table)")
            return lines.joined(separator: "\n")
        }
        lines.append(join(columns.indices.map { pad(columns[$0], $0) }))
        lines.append(join(widths.map { String(repeating: "-", count: $0) }))
        for row in texts {
            lines.append(join(row.indices.map { pad(row[$0], $0) }))
        }
        if let footerTexts {
            lines.append(join(widths.map { String(repeating: "-", count: $0) }))
            lines.append(join(footerTexts.indices.map { pad(footerTexts[$0], $0) }))
        }
        if !highlights.isEmpty { lines.append("(* best in column)") }
        return lines.joined(separator: "\n")
    }

    /// RFC 4180 CSV with a header row; real numbers keep full precision (`0.1` stays `0.1`).
    public var csv: String {
        func field(_ text: String) -> String {
            if text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
                return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
            return text
        }
        var lines = [columns.map(field).joined(separator: ",")]
        for row in rows {
            lines.append(row.map { field(Table.exact($0)) }.joined(separator: ","))
        }
        if let footer { lines.append(footer.map { field(Table.exact($0)) }.joined(separator: ",")) }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// A JSON array of objects, keys in column order, empty cells as `null`, NaN/inf as `null`.
    public var json: String {
        var lines: [String] = []
        for row in rows {
            let fields = zip(columns, row).map { column, cell in
                "\(Table.jsonString(column)): \(Table.jsonValue(cell))"
            }
            lines.append("  {" + fields.joined(separator: ", ") + "}")
        }
        return lines.isEmpty ? "[]\n" : "[\n" + lines.joined(separator: ",\n") + "\n]\n"
    }

    /// The shortest text that reads back as the same value (Swift's `description` round-trips).
    static func exact(_ cell: TableCell) -> String {
        switch cell {
        case .number(let value):
            if value.isNaN { return "NaN" }
            if value.isInfinite { return value > 0 ? "inf" : "-inf" }
            if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
            return String(value)
        default:
            return cell.formatted(significantDigits: 17)
        }
    }

    static func jsonValue(_ cell: TableCell) -> String {
        switch cell {
        case .text(let text): return jsonString(text)
        case .integer(let value): return String(value)
        case .number(let value): return value.isFinite ? exact(cell) : "null"
        case .bool(let value): return value ? "true" : "false"
        case .empty: return "null"
        }
    }

    /// A JSON string literal, escaped by Foundation's JSON writer (the one the kernel and checkpoints use too).
    static func jsonString(_ text: String) -> String {
        guard
            let data = try? JSONSerialization.data(
                withJSONObject: text, options: [.fragmentsAllowed, .withoutEscapingSlashes])
        else { return "\"\"" }
        return String(decoding: data, as: UTF8.self)
    }
}
