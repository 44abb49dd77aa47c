import Foundation
import Testing

@testable import RichDisplay

@Suite struct DisplayFileTests {
    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("rigor-display-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func savesByExtension() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let table = Fixtures.gridSearch
        for (name, expected) in [("t.csv", table.csv), ("t.json", table.json)] {
            let path = directory.appendingPathComponent(name).path
            try DisplayFile.save(table, to: path)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == expected)
        }
        let svgPath = directory.appendingPathComponent("loss.svg").path
        try DisplayFile.save(Fixtures.lossChart, to: svgPath)
        #expect(try String(contentsOfFile: svgPath, encoding: .utf8) == Fixtures.lossChart.svg)
        let htmlPath = directory.appendingPathComponent("t.html").path
        try DisplayFile.save(table, to: htmlPath)
        #expect(try String(contentsOfFile: htmlPath, encoding: .utf8).hasPrefix("<!DOCTYPE html>"))
        // Nothing temporary is left behind.
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(names == ["loss.svg", "t.csv", "t.html", "t.json"])
    }

    @Test func replacesAnExistingFile() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("x.svg").path
        try DisplayFile.writeAtomically("old", to: path)
        try DisplayFile.writeAtomically("new", to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "new")
    }

    @Test func explainsWhatItCannotSave() {
        #expect(throws: DisplayFile.SaveError.self) { try DisplayFile.save(Fixtures.lossChart, to: "/tmp/x.csv") }
        do {
            try DisplayFile.save(Fixtures.lossChart, to: "/tmp/x.gif")
            Issue.record("a .gif was saved")
        } catch {
            #expect(
                "\(error)"
                    == "cannot save '/tmp/x.gif': unknown extension '.gif'; use .svg, .html, .csv, .json, .txt, .png or .pdf"
            )
        }
        #expect(throws: DisplayFile.SaveError.self) {
            try DisplayFile.writeAtomically("x", to: "/nonexistent-rigor-directory/x.svg")
        }
    }

    @Test func namesTheOperatingSystemsReason() throws {
        let missing = DisplayFile.SaveError(
            path: "/nonexistent-rigor-directory/x.svg", message: "No such file or directory")
        #expect(throws: missing) { try DisplayFile.writeAtomically("x", to: "/nonexistent-rigor-directory/x.svg") }
        // sysfs takes no new files, not even from root.
        let denied = DisplayFile.SaveError(path: "/sys/x.svg", message: "Permission denied")
        #expect(throws: denied) { try DisplayFile.writeAtomically("x", to: "/sys/x.svg") }
        // A failed rename (the target is a folder) leaves the folder as it was and no temporary file.
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let target = directory.appendingPathComponent("taken.svg")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: false)
        try FileManager.default.createDirectory(
            at: target.appendingPathComponent("inside"), withIntermediateDirectories: false)
        #expect(throws: DisplayFile.SaveError(path: target.path, message: "Is a directory")) {
            try DisplayFile.writeAtomically("x", to: target.path)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["taken.svg"])
    }

    // MARK: PNG and PDF, rendered by librsvg (rsvg-convert) and Chromium

    /// The width and height in a PNG's IHDR chunk (bytes 16–23, big-endian).
    func pngSize(_ path: String) throws -> [Int] {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        let number = { (offset: Int) in bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) } }
        return [number(16), number(20)]
    }

    /// The `width='…'` and `height='…'` of an SVG's root element.
    func svgSize(_ svg: String) throws -> [Int] {
        let root = String(svg.prefix { $0 != ">" })
        func attribute(_ name: String) throws -> Int {
            let pattern = try Regex(" \(name)=['\"]([0-9.]+)['\"]")
            let match = try #require(root.firstMatch(of: pattern))
            return Int(try #require(Double(String(match.output[1].substring ?? ""))))
        }
        return [try attribute("width"), try attribute("height")]
    }

    @Test func rendersAChartToPNGAtItsPixelSizeTimesTheScale() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let size = try svgSize(Fixtures.lossChart.svg)
        let path = directory.appendingPathComponent("loss.png").path
        try DisplayFile.save(Fixtures.lossChart, to: path)
        #expect(try pngSize(path) == size)
        let large = directory.appendingPathComponent("loss@2x.png").path
        try DisplayFile.save(Fixtures.lossChart, to: large, scale: 2)
        #expect(try pngSize(large) == size.map { $0 * 2 })
        // Not blank: the same size of empty SVG compresses to a fraction of the chart's PNG.
        let blank = directory.appendingPathComponent("blank.png").path
        try ExternalRenderer().render(
            svg: "<svg xmlns='http://www.w3.org/2000/svg' width='\(size[0])' height='\(size[1])'></svg>",
            as: .png, to: blank)
        #expect(try pngSize(blank) == size)
        let chartBytes = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
        let blankBytes = try FileManager.default.attributesOfItem(atPath: blank)[.size] as? Int ?? 0
        #expect(chartBytes > 5 * blankBytes, "chart \(chartBytes) bytes, blank \(blankBytes) bytes")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(names == ["blank.png", "loss.png", "loss@2x.png"])
    }

    @Test func rendersAChartAndPrintsATableToPDF() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let chart = directory.appendingPathComponent("loss.pdf").path
        try DisplayFile.save(Fixtures.lossChart, to: chart)
        let table = directory.appendingPathComponent("grid.pdf").path
        try DisplayFile.save(Fixtures.gridSearch, to: table)
        for path in [chart, table] {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            let text = String(decoding: data, as: UTF8.self)
            #expect(text.hasPrefix("%PDF-"), "\(path)")
            #expect(text.contains("/Type /Page") || text.contains("/Type/Page"), "\(path) has no page")
        }
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["grid.pdf", "loss.pdf"])
    }

    @Test func explainsWhatPNGAndPDFCannotDo() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("grid.png").path
        #expect(
            throws: DisplayFile.SaveError(
                path: path,
                message: "this value has no '.png' form: a chart (an SVG image) can be saved as .png; try .html or .txt"
            )
        ) { try DisplayFile.save(Fixtures.gridSearch, to: path) }
        // No renderer on the search path: the error says what to install.
        let missing = ExternalRenderer(searchPath: ["/nonexistent-rigor-directory"])
        do {
            try DisplayFile.save(
                Fixtures.lossChart, to: directory.appendingPathComponent("x.png").path, renderer: missing)
            Issue.record("saved without a renderer")
        } catch {
            #expect(
                "\(error)".contains(
                    "'rsvg-convert' was not found on the PATH; it renders this format: install librsvg2-bin"))
        }
        #expect(throws: DisplayFile.SaveError.self) {
            try DisplayFile.save(Fixtures.lossChart, to: directory.appendingPathComponent("x.png").path, scale: 0)
        }
        // A renderer that fails (not an SVG) leaves the previous file as it was and nothing temporary.
        let kept = directory.appendingPathComponent("kept.png").path
        try DisplayFile.save(Fixtures.lossChart, to: kept)
        let before = try Data(contentsOf: URL(fileURLWithPath: kept))
        #expect(throws: DisplayFile.SaveError.self) {
            try ExternalRenderer().render(svg: "not an svg", as: .png, to: kept)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: kept)) == before)
        // A missing folder is the operating system's reason, as for the other formats.
        #expect(
            throws: DisplayFile.SaveError(
                path: "/nonexistent-rigor-directory/x.png", message: "No such file or directory")
        ) {
            try DisplayFile.save(Fixtures.lossChart, to: "/nonexistent-rigor-directory/x.png")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["kept.png"])
    }
}
