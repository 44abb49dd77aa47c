/// MIMEBundle+Displayables: convenience constructors for the bundles RichDisplay produces.
extension MIMEBundle {
    /// An SVG image with its text fallback. Jupyter renders `isolated` SVG in an iframe, which
    /// keeps the ids (clip paths) of several charts on one page apart.
    public init(svg: String, plainText: String) {
        self.init(
            data: [MIMEType.svg: svg, MIMEType.plainText: plainText],
            metadata: [MIMEType.svg: ["isolated": "true"]])
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
