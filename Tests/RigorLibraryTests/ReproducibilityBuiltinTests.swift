import Foundation
import RichDisplay
import RigorLibrary
import RigorScript
import RunLog
import TensorCore
import Testing

private func temporaryFolder() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("rigor-report-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

private func session(_ host: RunLogTestHost) -> Session {
    let registry = BuiltinRegistry()
    RigorLibrary.register(in: registry)
    return Session(host: host, registry: registry)
}

private func bundle(_ session: Session, _ code: String) throws -> MIMEBundle {
    let outcome = session.execute(code)
    if let error = outcome.error { Issue.record("\(session.render(error))") }
    guard case .object(let object)? = outcome.value, let rich = object as? any MIMERepresentable else {
        throw BundleMissing()
    }
    return rich.mimeBundle
}

private struct BundleMissing: Error {}

private func failure(_ session: Session, _ code: String) -> String {
    session.execute(code).error.map { session.render($0) } ?? "no error"
}

/// The commit `git` reports for the checkout these tests run in, or nil outside one.
private func gitHead() -> String? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["git", "-C", FileManager.default.currentDirectoryPath, "rev-parse", "HEAD"]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return nil }
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { return nil }
    return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}

private let setup = """
    let data = Dataset.iris().split(train: 0.8, validation: 0.2, seed: 1)
    let model = Sequential([Dense(4, 8, activation: .relu), Dense(8, 3)], seed: 2)
    """

@Suite("reproducibility() and report(...)")
struct ReproducibilityBuiltinTests {
    @Test("reproducibility() shows versions, BLAS, CPU, seeds, data fingerprints and the run log")
    func facts() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let host = RunLogTestHost(path: folder + "/runs.sqlite")
        let s = session(host)
        #expect(run(s, "reproducibility().facts[\"seeds\"]") == "no random operation yet")
        host.runRecorder.origin = "In[1]"
        _ = run(s, setup + "\nmodel.fit(data.train, validation: data.validation, epochs: 2, seed: 7, progress: false)")
        host.runRecorder.origin = "In[2]"
        _ = run(s, "model.evaluate(data.validation)")
        let facts = "reproducibility().facts"
        #expect(run(s, "\(facts)[\"rigor\"]") == RigorLibrary.version)
        #expect(run(s, "\(facts)[\"swift\"]")?.hasPrefix("6") == true)
        #expect(run(s, "\(facts)[\"blas\"]") == BLASBackend.configuration)
        #expect(run(s, "\(facts)[\"blas threads\"]") == String(BLASBackend.threadCount))
        #expect(run(s, "\(facts)[\"blas determinism\"]")?.isEmpty == false)
        #expect(run(s, "\(facts)[\"int8 kernel\"]")?.contains("exact int32 sums") == true)
        // Every random operation with its seed and cell: the split, the initial weights, the fit.
        #expect(run(s, "\(facts)[\"seed\"]") == "1 (split In[1]); 2 (Sequential In[1]); 7 (fit In[1])")
        #expect(run(s, "\(facts)[\"seeds\"] == nil") == "true")
        #expect(run(s, "\(facts)[\"run log\"]") == folder + "/runs.sqlite")
        // One row per data set, with the fingerprint the run log recorded for it.
        let training = try #require(run(s, "runs(kind: .fit)[0].data[\"training\"]"))
        let test = try #require(run(s, "runs(kind: .evaluate)[0].data[\"data\"]"))
        let data = try #require(run(s, "\(facts)[\"data\"]"))
        #expect(data.contains("training: sha256 \(training.prefix(12))… (120 rows)"), "\(data)")
        // The evaluate saw the validation rows: one data set in two roles.
        #expect(data.contains("validation, data: sha256 \(test.prefix(12))… (30 rows)"), "\(data)")
        // A loop of fits in one cell with one seed is one row.
        host.runRecorder.origin = "In[3]"
        _ = run(s, "for _ in 0..<3 { model.fit(data.train, epochs: 1, seed: 9, progress: false) }")
        #expect(
            run(s, "\(facts)[\"seed\"]")
                == "1 (split In[1]); 2 (Sequential In[1]); 7 (fit In[1]); 9 (fit In[3], 3 calls)")
        // A seed left to its default is listed as such.
        host.runRecorder.origin = "In[4]"
        _ = run(s, "Dataset.iris().shuffled()")
        #expect(run(s, "\(facts)[\"seed\"]")?.hasSuffix("; 0, not written (shuffled In[4])") == true)
        // The source revision: the commit of the checkout the test binary was built in.
        if let head = gitHead() {
            #expect(run(s, "\(facts)[\"source\"]")?.hasPrefix(String(head.prefix(12))) == true)
        }
        // Shown as a table, in HTML and in text.
        let shown = try bundle(s, "reproducibility()")
        #expect(shown.data[MIMEType.html]?.contains("<caption") == true)
        #expect(shown.plainText.hasPrefix("Reproducibility"))
        #expect(shown.plainText.contains("blas threads"))
    }

    @Test("with the run log off, seeds are still listed and the log says how to turn it on")
    func logOff() throws {
        let host = RunLogTestHost(path: nil)
        let s = session(host)
        _ = run(s, setup + "\nmodel.fit(data.train, epochs: 1, seed: 3, progress: false)")
        #expect(run(s, "reproducibility().facts[\"seed\"]") == "1 (split); 2 (Sequential); 3 (fit)")
        #expect(run(s, "reproducibility().facts[\"run log\"]")?.hasPrefix("off (runLog(path:") == true)
    }

    @Test("report(...) writes one self-contained page with every item")
    func report() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let host = RunLogTestHost(path: folder + "/runs.sqlite")
        let s = session(host)
        _ = run(
            s,
            setup + """

                let history = model.fit(data.train, validation: data.validation, epochs: 3, seed: 4, progress: false)
                let table = Table([["model": "small", "loss": 0.5]], title: "Results <1>")
                """)
        let chart = try bundle(s, "history").data[MIMEType.svg] ?? ""
        let table = try bundle(s, "table").data[MIMEType.html] ?? ""
        let runs = try bundle(s, "runs()").data[MIMEType.html] ?? ""
        let path = folder + "/report.html"
        let result = try bundle(
            s,
            "report([history, table, runs(), \"Seeds <fixed>.\", reproducibility(), [1, 2]], "
                + "title: \"Iris & MLP\", to: \"\(path)\")")
        #expect(result.plainText == "report 'Iris & MLP' (6 items) written to \(path)")
        #expect(result.data[MIMEType.html]?.contains("<a href=\"\(path)\"") == true)
        let page = try String(contentsOfFile: path, encoding: .utf8)
        #expect(page.hasPrefix("<!DOCTYPE html>"))
        #expect(page.contains("<title>Iris &amp; MLP</title>") && page.contains("<h1>Iris &amp; MLP</h1>"))
        #expect(page.contains(chart) && !chart.isEmpty)
        #expect(page.contains(table) && page.contains(runs))
        #expect(page.contains("<p>Seeds &lt;fixed&gt;.</p>"))
        #expect(page.contains("blas threads"))
        #expect(page.contains("<pre>[1, 2]</pre>"))
        // Self-contained: no URL that a browser would fetch (XML namespaces are names, not fetched).
        let fetched = page.replacingOccurrences(
            of: #"xmlns(:[a-z]+)?=["']http://www\.w3\.org/[^"']*["']"#, with: "", options: .regularExpression)
        #expect(!fetched.contains("http://") && !fetched.contains("https://") && !fetched.contains("src="))
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: folder).sorted().filter { !$0.hasPrefix("runs") } == [
                "report.html"
            ])
    }

    @Test("report(...) refuses what it cannot do, at the argument")
    func reportErrors() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let s = session(RunLogTestHost(path: nil))
        let cases: [(String, String)] = [
            ("report([], to: \"\(folder)/r.html\")", "a report needs at least one item"),
            ("report([\"x\"], to: \"\(folder)/r.pdf\")", "a report is an HTML page: name it '.html'"),
            (
                "report([HTML(\"<img src='https://example.com/x.png'>\")], to: \"\(folder)/r.html\")",
                "item 0 (HTML) refers to 'https://example.com/x.png'"
            ),
            (
                "report([\"a\", HTML(\"<style>@import url(//cdn.example.com/x.css)</style>\")], to: \"\(folder)/r.html\")",
                "item 1 (HTML) refers to '//cdn.example.com/x.css'"
            ),
            ("report([\"x\"], to: \"/nonexistent-rigor-directory/r.html\")", "No such file or directory"),
        ]
        for (code, message) in cases {
            let rendered = failure(s, code)
            #expect(rendered.contains(message), "\(code): \(rendered)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
    }

    @Test("save(chart, to: \"x.png\", scale:) and its errors")
    func savePNG() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let s = session(RunLogTestHost(path: nil))
        _ = run(s, "let chart = Plot(title: \"t\")\nchart.line([3, 2, 1])")
        _ = run(s, "save(chart, to: \"\(folder)/c.png\", scale: 2)\nsave(chart, to: \"\(folder)/c.pdf\")")
        let png = try Data(contentsOf: URL(fileURLWithPath: folder + "/c.png"))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        let pdf = try Data(contentsOf: URL(fileURLWithPath: folder + "/c.pdf"))
        #expect(pdf.starts(with: Array("%PDF-".utf8)))
        #expect(failure(s, "save(chart, to: \"\(folder)/c.png\", scale: 0)").contains("'scale' must be in 0.1...16.0"))
        #expect(failure(s, "save(chart, to: \"\(folder)/c.gif\")").contains("unknown extension '.gif'; use .svg"))
        #expect(
            failure(s, "save(Table([[\"a\": 1]]), to: \"\(folder)/t.png\")").contains(
                "a chart (an SVG image) can be saved as .png"))
    }
}
