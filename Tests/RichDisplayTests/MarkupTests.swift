import Testing

@testable import RichDisplay

@Suite struct MarkupTests {
    @Test func escapesEveryMarkupCharacter() {
        #expect(Markup.escape("a < b & \"c\" > 'd'") == "a &lt; b &amp; &quot;c&quot; &gt; &#39;d&#39;")
        #expect(Markup.escape("bell\u{7}") == "bell\u{FFFD}")
        #expect(Markup.escape("café → 7") == "café → 7")
    }

    @Test func userStringsNeverReachTheOutputRaw() {
        let hostile = "<script>alert('x')</script>"
        var chart = Plot(title: hostile, x: hostile, y: hostile)
        chart.line([1, 2], label: hostile)
        chart.markX(1, label: hostile)
        let table = Table(rows: [[(hostile, .text(hostile))]], title: hostile)
        let heatmap = Heatmap([[1]], labels: [hostile], title: hostile, x: hostile, y: hostile)
        let images = ImageGrid([[[0, 1]]], captions: [hostile], title: hostile)
        for output in [chart.svg, table.html, heatmap.svg, images.svg] {
            #expect(!output.contains("<script"))
            #expect(output.contains("&lt;script&gt;"))
        }
    }

    @Test func coordinatesAreShortAndNeverNegativeZero() {
        #expect(Markup.coordinate(12.3456) == "12.35")
        #expect(Markup.coordinate(-0.001) == "0")
        #expect(Markup.coordinate(40) == "40")
    }
}
