import Foundation
import Testing

@testable import RichDisplay

/// Reviewed SVG/HTML files under `Snapshots/`; `RIGOR_SNAPSHOT_RECORD=1` rewrites them.
@Suite struct SnapshotTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Snapshots")

    static let cases: [(name: String, text: String)] = [
        ("loss-chart.svg", Fixtures.lossChart.svg),
        ("every-series.svg", Fixtures.everySeries.svg),
        ("bars.svg", Fixtures.bars.svg),
        ("histogram.svg", Fixtures.histogram.svg),
        ("log-axes.svg", Fixtures.logChart.svg),
        ("confusion.svg", Fixtures.confusion.svg),
        ("digits.svg", Fixtures.digits.svg),
        ("grid-search.html", Fixtures.gridSearch.html),
        ("grid-search.txt", Fixtures.gridSearch.plainText),
        ("grid-search.csv", Fixtures.gridSearch.csv),
        ("grid-search.json", Fixtures.gridSearch.json),
        ("progress-began.html", Fixtures.progressBegan.html),
        ("progress-began.txt", Fixtures.progressBegan.line),
        ("progress-running.html", Fixtures.progressRunning.html),
        ("progress-running.txt", Fixtures.progressRunning.line),
        ("progress-finished.html", Fixtures.progressFinished.html),
        ("progress-finished.txt", Fixtures.progressFinished.line),
        ("progress-stopped.html", Fixtures.progressStopped.html),
        ("progress-stopped.txt", Fixtures.progressStopped.line),
    ]

    @Test(arguments: cases.map(\.name)) func matchesReviewedSnapshot(name: String) throws {
        let text = Self.cases.first { $0.name == name }!.text
        let url = Self.directory.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["RIGOR_SNAPSHOT_RECORD"] == "1" {
            try FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(text == expected, "\(name) differs from its snapshot; rerun with RIGOR_SNAPSHOT_RECORD=1 and review")
    }
}
