import Foundation
import Testing

@testable import RichDisplay

@Suite struct TableTests {
    @Test func columnsFollowFirstSeenKeyOrder() {
        let table = Table(rows: [[("b", 1), ("a", 2)], [("c", 3), ("a", 4)]])
        #expect(table.columns == ["b", "a", "c"])
        #expect(table.rows == [[1, 2, .empty], [.empty, 4, 3]])
    }

    @Test func plainTextAlignsNumbersRightAndMarksTheBest() {
        #expect(
            Fixtures.gridSearch.plainText == """
                Grid search
                learning rate  width  parameters  accuracy  note
                -------------  -----  ----------  --------  -------------------
                         0.01      8        1234   0.9481   ok
                        0.003     16        4410   0.9833*
                        0.001     32       16650   0.9722   <b>slow</b> & "big"
                (* best in column)
                """)
    }

    @Test func decimalPlacesFixAColumnInTextAndHTMLButNotInCSV() {
        var table = Table(columns: ["class", "f1", "support"], rows: [["a", 1.0, 10], ["b", 0.96667, 20]])
        table.decimalPlaces = ["f1": 3]
        #expect(
            table.plainText == """
                class     f1  support
                -----  -----  -------
                a      1.000       10
                b      0.967       20
                """)
        #expect(table.html.contains(">1.000<") && table.html.contains(">0.967<"))
        #expect(table.csv.contains("0.96667"))
    }

    @Test func htmlEscapesAndHighlights() {
        let html = Fixtures.gridSearch.html
        #expect(html.contains("<caption"))
        #expect(html.contains("<strong>0.9833</strong>"))
        #expect(html.contains("&lt;b&gt;slow&lt;/b&gt; &amp; &quot;big&quot;"))
        #expect(Fixtures.gridSearch.mimeBundle.mimeTypes == [MIMEType.html, MIMEType.plainText])
    }

    @Test func csvQuotesAndKeepsFullPrecision() {
        let table = Table(columns: ["name", "value"], rows: [["a, b", 0.1], ["say \"hi\"", 1e-7], ["", .empty]])
        #expect(table.csv == "name,value\r\n\"a, b\",0.1\r\n\"say \"\"hi\"\"\",1e-07\r\n,\r\n")
    }

    @Test func jsonKeepsColumnOrderAndParses() throws {
        let json = Fixtures.gridSearch.json
        #expect(json.hasPrefix("[\n  {\"learning rate\": 0.01, \"width\": 8,"))
        let parsed = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]]
        #expect(parsed?.count == 3)
        #expect(parsed?[1]["note"] is NSNull)
        #expect(Table(columns: ["x"], rows: [[.number(.nan)]]).json == "[\n  {\"x\": null}\n]\n")
    }

    @Test func emptyTableStillRenders() {
        let table = Table(rows: [], title: "nothing")
        #expect(table.plainText == "nothing\n(empty table)")
        #expect(table.json == "[]\n")
        #expect(isWellFormedXML(table.html))
    }
}
