/// SVGWriter: builds an SVG document as text, one element per line, attributes in call order.
///
/// The order of attributes is the order of the call, so the same drawing gives the same bytes.
struct SVGWriter {
    private(set) var lines: [String] = []
    let width: Double
    let height: Double

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// One attribute, value escaped.
    typealias Attribute = (name: String, value: String)

    mutating func element(_ name: String, _ attributes: [Attribute], text: String? = nil) {
        var line = "<\(name)"
        for attribute in attributes {
            line += " \(attribute.name)=\"\(Markup.escape(attribute.value))\""
        }
        if let text {
            line += ">\(Markup.escape(text))</\(name)>"
        } else {
            line += "/>"
        }
        lines.append(line)
    }

    mutating func open(_ name: String, _ attributes: [Attribute] = []) {
        var line = "<\(name)"
        for attribute in attributes {
            line += " \(attribute.name)=\"\(Markup.escape(attribute.value))\""
        }
        lines.append(line + ">")
    }

    mutating func close(_ name: String) {
        lines.append("</\(name)>")
    }

    mutating func raw(_ line: String) {
        lines.append(line)
    }

    /// The whole document, with a `<title>` for screen readers and the browser tab.
    func document(title: String) -> String {
        let w = Markup.coordinate(width)
        let h = Markup.coordinate(height)
        var text =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(w)\" height=\"\(h)\" viewBox=\"0 0 \(w) \(h)\""
            + " font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
        text += "<title>\(Markup.escape(title))</title>\n"
        text += "<rect x=\"0\" y=\"0\" width=\"\(w)\" height=\"\(h)\" fill=\"#ffffff\"/>\n"
        for line in lines { text += line + "\n" }
        text += "</svg>\n"
        return text
    }
}

extension SVGWriter {
    static func x(_ value: Double) -> Attribute { ("x", Markup.coordinate(value)) }
    static func y(_ value: Double) -> Attribute { ("y", Markup.coordinate(value)) }
}
