import Foundation

/// ExternalRenderer: turns an SVG chart into PNG or PDF with librsvg's `rsvg-convert`, and an HTML page into PDF with
/// headless Chromium, each run as a child process; the result is written atomically (a temporary file beside the
/// target, flushed, then renamed).
///
/// Why programs and not linked libraries: the release kernel links the Swift runtime and Foundation statically and
/// starts in milliseconds; linking librsvg (and with it cairo, pango, glib) would make every start-up load them and
/// every build need their development packages, for a feature a notebook uses a few times. `rsvg-convert` is Debian's
/// `librsvg2-bin` (installed by scripts/install-system-deps.sh), and takes 30–60 ms of CPU per chart.
public struct ExternalRenderer: Sendable {
    /// The folders searched for `rsvg-convert` and `chromium`, in order (the `PATH` by default).
    public var searchPath: [String]
    /// How long one conversion may take before it is stopped.
    public var timeout: TimeInterval = 120

    public init(searchPath: [String] = ExternalRenderer.environmentPath) {
        self.searchPath = searchPath
    }

    /// The folders of `PATH`, or Debian's defaults when it is unset.
    public static var environmentPath: [String] {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map(String.init)
    }

    /// The output formats, by file extension.
    public enum Format: String, Sendable {
        case png, pdf
    }

    /// Renders `svg` to `path` as PNG or PDF, `scale` times its own size (a 640×400 chart at `scale: 2` is a
    /// 1280×800 PNG; a PDF page is measured in points, 1 px = 0.75 pt).
    ///
    ///     try ExternalRenderer().render(svg: chart.svg, as: .png, scale: 2, to: "loss.png")
    public func render(svg: String, as format: Format, scale: Double = 1, to path: String) throws {
        guard scale.isFinite, scale > 0 else {
            throw DisplayFile.SaveError(path: path, message: "the scale must be a positive number, not \(scale)")
        }
        let tool = try executable(
            "rsvg-convert",
            install: "librsvg2-bin (Debian: apt-get install librsvg2-bin; scripts/install-system-deps.sh installs it)",
            for: path)
        try withTemporaryInput(svg, extension: "svg") { input in
            try produce(path) { output in
                [
                    tool, "--format", format.rawValue, "--zoom", String(scale), "--background-color", "white",
                    "--output", output, input,
                ]
            }
        }
    }

    /// Prints the HTML page `html` to a PDF at `path` with headless Chromium (its default Letter page, no header or
    /// footer).
    ///
    ///     try ExternalRenderer().printPDF(html: page, to: "results.pdf")
    public func printPDF(html: String, to path: String) throws {
        let tool = try executable(
            "chromium", install: "Chromium (Debian: apt-get install chromium)", for: path)
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("rigor-chromium-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: profile) }
        try withTemporaryInput(html, extension: "html") { input in
            try produce(path) { output in
                // Root cannot use Chromium's sandbox; a private profile keeps concurrent prints apart.
                [tool, "--headless", "--disable-gpu", "--no-first-run", "--user-data-dir=\(profile)"]
                    + (getuid() == 0 ? ["--no-sandbox"] : [])
                    + [
                        "--no-pdf-header-footer", "--print-to-pdf=\(output)",
                        URL(fileURLWithPath: input).absoluteString,
                    ]
            }
        }
    }

    /// The full path of `name` in ``searchPath``, or an error that says what to install.
    func executable(_ name: String, install: String, for path: String) throws -> String {
        for folder in searchPath {
            let candidate = URL(fileURLWithPath: folder).appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw DisplayFile.SaveError(
            path: path, message: "'\(name)' was not found on the PATH; it renders this format: install \(install)")
    }

    /// Runs `body` with `text` in a temporary file, removed afterwards.
    private func withTemporaryInput(
        _ text: String, extension fileExtension: String, _ body: (String) throws -> Void
    )
        throws
    {
        let input = FileManager.default.temporaryDirectory
            .appendingPathComponent("rigor-render-\(UUID()).\(fileExtension)").path
        defer { unlink(input) }
        guard FileManager.default.createFile(atPath: input, contents: Data(text.utf8)) else {
            throw DisplayFile.SaveError(path: input, message: "cannot write a temporary file")
        }
        try body(input)
    }

    /// Runs the command `arguments(temporary)` that writes a temporary file beside `path`, then flushes it and renames
    /// it over `path`; on any failure the temporary file is removed and `path` is left as it was.
    private func produce(_ path: String, _ arguments: (String) -> [String]) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw DisplayFile.SaveError(path: path, message: String(cString: strerror(ENOENT)))
        }
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp").path
        do {
            try run(arguments(temporary), for: path)
            let descriptor = open(temporary, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else {
                throw DisplayFile.SaveError(path: path, message: "the renderer wrote no file")
            }
            let synced = fsync(descriptor) == 0
            close(descriptor)
            guard synced, rename(temporary, path) == 0 else {
                throw DisplayFile.SaveError(path: path, message: String(cString: strerror(errno)))
            }
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Runs a command to its end (stopped after ``timeout``); a failure carries the last lines it wrote to stderr.
    private func run(_ arguments: [String], for path: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        // Stderr goes to a file, not a pipe: Chromium writes enough to fill a pipe nobody reads while it runs.
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("rigor-render-\(UUID()).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)  // a failure shows in the next line
        defer { unlink(log.path) }
        let logHandle = try FileHandle(forWritingTo: log)
        defer { try? logHandle.close() }
        process.standardError = logHandle
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let name = (arguments[0] as NSString).lastPathComponent
        do {
            try process.run()
        } catch {
            throw DisplayFile.SaveError(path: path, message: "cannot start '\(name)': \(error.localizedDescription)")
        }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > deadline {
                process.terminate()
                process.waitUntilExit()
                throw DisplayFile.SaveError(path: path, message: "'\(name)' did not finish within \(Int(timeout)) s")
            }
            usleep(5_000)
        }
        guard process.terminationStatus == 0 else {
            let errors = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            let last = errors.split(separator: "\n").suffix(3).joined(separator: " ")
            throw DisplayFile.SaveError(
                path: path, message: "'\(name)' failed (exit status \(process.terminationStatus)): \(last)")
        }
    }
}
