/// MIMEBundle+Displayables: convenience constructors for the bundles RichDisplay produces.
extension MIMEBundle {
    /// An SVG image with its text fallback. No `isolated` iframe is asked for: every id inside
    /// a RichDisplay SVG is derived from its content, so several charts can share one page.
    public init(svg: String, plainText: String) {
        self.init(data: [MIMEType.svg: svg, MIMEType.plainText: plainText])
    }

    /// An HTML fragment with its text fallback.
    public init(html: String, plainText: String) {
        self.init(data: [MIMEType.html: html, MIMEType.plainText: plainText])
    }

    /// The MIME types present, richest first, `text/plain` last.
    public var mimeTypes: [String] {
        let order = [MIMEType.svg, MIMEType.html, MIMEType.markdown, MIMEType.json, MIMEType.plainText]
        let known = order.filter { data[$0] != nil }
        let others = data.keys.filter { !order.contains($0) }.sorted()
        return known.filter { $0 != MIMEType.plainText } + others + [MIMEType.plainText]
    }
}
