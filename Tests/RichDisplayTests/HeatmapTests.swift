import Testing

@testable import RichDisplay

@Suite struct HeatmapTests {
    @Test func countsAreWrittenInContrastingColours() {
        let svg = Fixtures.confusion.svg
        // The darkest cell (0) carries white text, the brightest (60) black text.
        #expect(svg.contains("fill=\"#ffffff\">0</text>"))
        #expect(svg.contains("fill=\"#000000\">60</text>"))
        #expect(svg.contains(">versicolor</text>"))
    }

    @Test func plainTextShowsTheMatrix() {
        #expect(
            Fixtures.confusion.plainText == """
                Heatmap "Confusion matrix" 3×3 (rows: actual, columns: predicted)
                              setosa  versicolor  virginica
                  setosa      52      0           1
                  versicolor  2       47          5
                  virginica   0       3           60
                """)
    }

    @Test func raggedAndEmptyMatricesRender() {
        #expect(isWellFormedXML(Heatmap([[1, 2], [3]]).svg))
        #expect(isWellFormedXML(Heatmap([]).svg))
        #expect(Heatmap([]).plainText.hasSuffix("(no data)"))
    }

    @Test func imageGridDrawsCrispPixelsAndCaptions() {
        let grid = Fixtures.digits
        #expect(grid.svg.contains("shape-rendering=\"crispEdges\""))
        #expect(grid.svg.contains(">7 → 1</text>"))
        #expect(grid.plainText == "ImageGrid \"Digits\": 3 images of 8×8\n  captions: 1, 0, 7 → 1")
        let flat = ImageGrid(flat: [[0, 1, 2, 3]], height: 2, width: 2)
        #expect(flat.images == [[[0, 1], [2, 3]]])
    }
}

@Suite struct DivergingHeatmapTests {
    @Test func divergingScaleIsCentredOnZero() {
        var heatmap = Heatmap([[-0.5, 0], [0.25, 1]], title: "attribution")
        heatmap.colorScale = .diverging
        #expect(heatmap.range.low == -1 && heatmap.range.high == 1)
        #expect(heatmap.color(0).hex == "#eaeccc")  // the neutral middle of sunset
        #expect(heatmap.color(1).hex == "#a50026")
        #expect(isWellFormedXML(heatmap.svg))
    }
}
