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
            try DisplayFile.save(Fixtures.lossChart, to: "/tmp/x.png")
        } catch {
            #expect("\(error)" == "cannot save '/tmp/x.png': unknown extension '.png'; use .svg, .html, .csv or .json")
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
}
