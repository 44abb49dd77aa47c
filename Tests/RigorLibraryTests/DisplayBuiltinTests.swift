import Foundation
import RichDisplay
import RigorLibrary
import RigorScript
import Testing

@Suite("Display builtins")
struct DisplayBuiltinTests {
    @Test("the LANGUAGE.md plot cell")
    func plotCell() throws {
        let s = librarySession()
        let code = """
            let trainLosses = [0.9, 0.6, 0.45, 0.4]
            let validLosses = [1.0, 0.7, 0.65, 0.7]
            let chart = Plot(title: "Loss per epoch", x: "epoch", y: "cross-entropy")
            chart.line(trainLosses, label: "train")
            chart.line(validLosses, label: "validation", style: .dashed)
            chart.markX(validLosses.argmin() + 1, label: "best")
            chart
            """
        let value = try #require(s.execute(code).value)
        let bundle = value.mimeBundle
        let svg = try #require(bundle.data[MIMEType.svg])
        #expect(svg.contains("Loss per epoch"))
        #expect(svg.contains("best"))
        #expect(!bundle.plainText.isEmpty)
    }

    @Test("Table, Heatmap, ImageGrid and save")
    func others() throws {
        let s = librarySession()
        let table = try #require(
            s.execute(
                "Table([[\"width\": 8, \"accuracy\": 0.91], [\"width\": 16, \"accuracy\": 0.95]], title: \"Grid search\")"
            )
            .value)
        let html = try #require(table.mimeBundle.data[MIMEType.html])
        #expect(html.contains("Grid search"))
        #expect(html.contains("accuracy"))
        let data = "let data = Dataset.digits().reshaped([1, 8, 8])\nlet digit = data[0]\n"
        let heatmap = try #require(s.execute(data + "Heatmap(digit.features, title: \"input\")").value)
        #expect(heatmap.mimeBundle.data[MIMEType.svg]?.contains("input") == true)
        let grid = try #require(s.execute("ImageGrid(data, title: \"digits\", columns: 10)").value)
        #expect(grid.mimeBundle.data[MIMEType.svg]?.hasPrefix("<svg") == true)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rigor-lib-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let csv = folder.appendingPathComponent("grid.csv").path
        #expect(s.execute("save(Table([[\"a\": 1]]), to: \"\(csv)\")").error == nil)
        #expect(try String(contentsOfFile: csv, encoding: .utf8).hasPrefix("a"))
        let bad = try #require(s.execute("save(Table([[\"a\": 1]]), to: \"\(folder.path)/x.docx\")").error)
        #expect(bad.kind == .io)
        #expect(bad.message.contains("unknown extension"))
    }
}
