// SecurityDisplay: an attack shows as its table of figures; a robustness curve as its chart (SVG) above its table.
import RichDisplay

extension AttackResultObject: MIMERepresentable {
    var mimeBundle: MIMEBundle { table.mimeBundle }
}

extension RobustnessObject: MIMERepresentable {
    var mimeBundle: MIMEBundle {
        MIMEBundle(html: "<div class=\"rigor-robustness\">\(plot.svg)\(table.html)</div>", plainText: table.plainText)
    }
}
