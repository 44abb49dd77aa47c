// ReportBuiltins: `report(items, title:, to:)`, one self-contained HTML page (inline SVG and CSS, nothing fetched)
// of chosen results — charts, tables, evaluations, runs, text — written atomically (docs/rigor.md).
import Foundation
import RichDisplay
import RigorScript

/// What `report` returns: where the page was written, shown as a link.
final class ReportPageObject: NativeObject, ArgumentType, ScriptValueConvertible, MIMERepresentable {
    static var scriptTypeName: String { "Report" }
    let title: String
    let path: String
    let itemCount: Int
    init(title: String, path: String, itemCount: Int) {
        self.title = title
        self.path = path
        self.itemCount = itemCount
    }
    var typeName: String { "Report" }
    var description: String { "report '\(title)' (\(itemCount) item\(itemCount == 1 ? "" : "s")) written to \(path)" }
    var mimeBundle: MIMEBundle {
        let html =
            "<p>report <b>\(Markup.escape(title))</b> (\(itemCount) item\(itemCount == 1 ? "" : "s")) written to "
            + "<a href=\"\(Markup.escape(path))\" target=\"_blank\"><code>\(Markup.escape(path))</code></a></p>"
        return MIMEBundle(data: [MIMEType.plainText: description, MIMEType.html: html])
    }
}

extension RigorLibrary {
    static func registerReport(in registry: BuiltinRegistry) {
        let type = registry.type(ReportPageObject.self, doc: "A report page written by `report`.")
        type.property("path", doc: "The file it was written to, as given.") { $0.path }
        type.property("title", doc: "Its title.") { $0.title }
        registry.function(
            "report", Arg<[Value]>(nil, "items", type: "[Any]"), Arg("title", default: "Report"),
            Arg<String>("to", "path"),
            doc: "Writes one self-contained HTML page (inline SVG and CSS, no external resources) of the items in "
                + "order: charts, tables, evaluations, runs, `reproducibility()`, anything with a rich display, and "
                + "strings as paragraphs. Written atomically; returns a link to it.",
            example: "report([history, confusion, runs(last: 5), reproducibility()], title: \"Digits MLP\", "
                + "to: \"report.html\")"
        ) { _, items, title, path -> ReportPageObject in
            guard !items.isEmpty else {
                throw BuiltinError(.value, "a report needs at least one item", parameter: "items")
            }
            let fileExtension = (path as NSString).pathExtension.lowercased()
            guard fileExtension == "html" || fileExtension == "htm" else {
                throw BuiltinError(
                    .value, "a report is an HTML page: name it '.html', not '\(path)'", parameter: "path")
            }
            var sections: [String] = []
            for (index, item) in items.enumerated() {
                let section = reportSection(item)
                if let url = externalReference(in: section) {
                    throw BuiltinError(
                        .value,
                        "item \(index) (\(item.typeName)) refers to '\(url)', which a self-contained report cannot "
                            + "include; pass the picture itself or leave the item out", parameter: "items")
                }
                sections.append(section)
            }
            do {
                try DisplayFile.writeAtomically(reportPage(title: title, sections: sections), to: path)
            } catch {
                throw BuiltinError(.io, String(describing: error), parameter: "path")
            }
            return ReportPageObject(title: title, path: path, itemCount: items.count)
        }
    }

    /// One item's HTML: a string as a paragraph; a rich value's HTML, else its SVG inline, else its text.
    static func reportSection(_ item: Value) -> String {
        if case .string(let text) = item {
            let paragraphs = text.components(separatedBy: "\n\n").map { "<p>\(Markup.escape($0))</p>" }
            return "<section class=\"text\">\(paragraphs.joined())</section>"
        }
        let bundle = item.mimeBundle
        if let html = bundle.data[MIMEType.html] { return "<section>\(html)</section>" }
        if let svg = bundle.data[MIMEType.svg] { return "<figure>\(svg)</figure>" }
        return "<section><pre>\(Markup.escape(bundle.plainText))</pre></section>"
    }

    /// The first URL in `html` that a browser would fetch (`src`, `href`, CSS `url()` or `@import` of http(s) or a
    /// protocol-relative `//`), or nil. XML namespaces (`xmlns='http://…'`) are names, not fetched.
    static func externalReference(in html: String) -> String? {
        let pattern =
            #"(?:\b(?:src|href|xlink:href|srcset|poster|data)\s*=\s*["']?|url\(\s*["']?|@import\s+["']?)((?:https?:)?//[^"'\s)>]+)"#
        guard let expression = try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive]) else {
            return nil
        }
        let range = NSRange(html.startIndex..., in: html)
        guard let match = expression.firstMatch(in: html, range: range),
            let url = Range(match.range(at: 1), in: html)
        else { return nil }
        return String(html[url])
    }

    static func reportPage(title: String, sections: [String]) -> String {
        let style = """
            body { font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: #111; \
            max-width: 1000px; margin: 2em auto; padding: 0 1em; line-height: 1.4; }
            h1 { font-size: 1.6em; border-bottom: 2px solid #444; padding-bottom: 0.2em; }
            section, figure { margin: 1.5em 0; overflow-x: auto; }
            figure svg { max-width: 100%; height: auto; }
            pre { background: #f6f6f6; padding: 0.6em; overflow-x: auto; }
            footer { color: #666; font-size: 0.85em; border-top: 1px solid #ddd; margin-top: 2em; padding-top: 0.5em; }
            """
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>\(Markup.escape(title))</title>
            <style>
            \(style)
            </style>
            </head>
            <body>
            <h1>\(Markup.escape(title))</h1>
            \(sections.joined(separator: "\n"))
            <footer>Written by Rigor \(version).</footer>
            </body>
            </html>

            """
    }
}
