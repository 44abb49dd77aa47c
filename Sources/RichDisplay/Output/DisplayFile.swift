import Foundation

/// DisplayFile: saves a displayable as `.svg`, `.html`, `.csv`, `.json`, `.png` or `.pdf`, chosen by extension,
/// written atomically (a temporary file beside the target, then a rename) so a reader never
/// sees half a file.
public enum DisplayFile {
    /// What went wrong when saving; `description` reads like a compiler diagnostic.
    public struct SaveError: Error, CustomStringConvertible, Equatable {
        public var path: String
        public var message: String
        public var description: String { "cannot save '\(path)': \(message)" }
    }

    /// The text to write for `value` at `path`, by the path's extension.
    ///
    ///     try DisplayFile.contents(of: table, forPath: "results.csv")
    public static func contents(of value: any MIMERepresentable, forPath path: String) throws -> String {
        let fileExtension = (path as NSString).pathExtension.lowercased()
        let bundle = value.mimeBundle
        switch fileExtension {
        case "svg":
            if let svg = bundle.data[MIMEType.svg] { return svg }
        case "html", "htm":
            if let html = bundle.data[MIMEType.html] { return HTMLPage.wrap(html, title: fileTitle(path)) }
            if let svg = bundle.data[MIMEType.svg] { return HTMLPage.wrap(svg, title: fileTitle(path)) }
        case "csv":
            if let table = value as? Table { return table.csv }
        case "json":
            if let table = value as? Table { return table.json }
            if let json = bundle.data[MIMEType.json] { return json }
        case "txt":
            return bundle.plainText + "\n"
        default:
            throw SaveError(
                path: path, message: "unknown extension '.\(fileExtension)'; use \(supportedExtensions)")
        }
        throw SaveError(path: path, message: "this value has no '.\(fileExtension)' form")
    }

    /// The extensions `save` knows, for error messages.
    public static let supportedExtensions = ".svg, .html, .csv, .json, .txt, .png or .pdf"

    /// Writes `value` to `path` in the format its extension names; `.png` and `.pdf` are rendered by `renderer`
    /// (a chart through librsvg, `scale` times its size; a table's HTML through Chromium, PDF only).
    ///
    ///     try DisplayFile.save(chart, to: "loss.svg")
    ///     try DisplayFile.save(chart, to: "loss.png", scale: 2)
    public static func save(
        _ value: any MIMERepresentable, to path: String, scale: Double = 1,
        renderer: ExternalRenderer = ExternalRenderer()
    ) throws {
        let fileExtension = (path as NSString).pathExtension.lowercased()
        guard let format = ExternalRenderer.Format(rawValue: fileExtension) else {
            return try writeAtomically(contents(of: value, forPath: path), to: path)
        }
        let bundle = value.mimeBundle
        if let svg = bundle.data[MIMEType.svg] {
            return try renderer.render(svg: svg, as: format, scale: scale, to: path)
        }
        if format == .pdf, let html = bundle.data[MIMEType.html] {
            return try renderer.printPDF(html: HTMLPage.wrap(html, title: fileTitle(path)), to: path)
        }
        let forms =
            format == .png ? "a chart (an SVG image) can be saved as .png" : "a chart or a table can be saved as .pdf"
        throw SaveError(path: path, message: "this value has no '.\(fileExtension)' form: \(forms); try .html or .txt")
    }

    /// Writes `text` as UTF-8 to a temporary file in the same directory, flushed to disk, then renamed over `path`;
    /// a failure leaves the previous file as it was, no temporary file behind, and the operating system's reason
    /// (`No such file or directory`, `Permission denied`) in the error.
    public static func writeAtomically(_ text: String, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp").path
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else { throw SaveError(path: path, message: String(cString: strerror(errno))) }
        var failure: Int32 = 0
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, bytes.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                failure = errno
                break
            }
            offset += written
        }
        if failure == 0, fsync(descriptor) != 0 { failure = errno }
        if close(descriptor) != 0, failure == 0 { failure = errno }
        if failure == 0, rename(temporary, path) != 0 { failure = errno }
        if failure != 0 {
            unlink(temporary)
            throw SaveError(path: path, message: String(cString: strerror(failure)))
        }
    }

    static func fileTitle(_ path: String) -> String {
        ((path as NSString).lastPathComponent as NSString).deletingPathExtension
    }
}

/// HTMLPage: a fragment made into a standalone page (for `save(x, to: "x.html")`).
enum HTMLPage {
    static func wrap(_ fragment: String, title: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>\(Markup.escape(title))</title>
        </head>
        <body>
        \(fragment)
        </body>
        </html>

        """
    }
}
