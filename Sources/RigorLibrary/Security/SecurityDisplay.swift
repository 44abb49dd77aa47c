// SecurityDisplay: an attack shows as its table of figures; a robustness curve as its chart (SVG) above its table.
import Foundation
import RichDisplay

extension AttackResultObject: MIMERepresentable {
    var mimeBundle: MIMEBundle { table.mimeBundle }
}

extension RobustnessObject: MIMERepresentable {
    var mimeBundle: MIMEBundle {
        MIMEBundle(html: "<div class=\"rigor-robustness\">\(plot.svg)\(table.html)</div>", plainText: table.plainText)
    }
}

extension KAnonymityObject: MIMERepresentable {
    /// The verdict, and the classes smaller than k as a table.
    var mimeBundle: MIMEBundle {
        let html =
            "<div class=\"rigor-kanonymity\"><p>\(Markup.escape(summary))</p>"
            + (report.isSatisfied ? "" : table.html) + "</div>"
        return MIMEBundle(html: html, plainText: description)
    }
}

extension GeneralizedTableObject: MIMERepresentable, TableBacked {
    /// What was generalised and suppressed, then the generalised table; `save` writes the table.
    var mimeBundle: MIMEBundle {
        MIMEBundle(
            html: "<div class=\"rigor-generalized\"><p>\(Markup.escape(summary))</p>\(summaryTable.html)"
                + "\(table.html)</div>",
            plainText: description)
    }
}

extension PIIReportObject: MIMERepresentable {
    /// The report: per column and type, counts, confidence, operator and positions — never the values.
    var mimeBundle: MIMEBundle { MIMEBundle(html: report.html, plainText: report.plainText) }
}

extension AuditObject: MIMERepresentable {
    /// The whole audit as one self-contained HTML report (inline styles and SVG); `save` writes it as a page.
    var mimeBundle: MIMEBundle { MIMEBundle(html: html, plainText: description) }
}
