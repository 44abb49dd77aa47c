import Testing

@testable import RichDisplay

@Suite struct MIMEBundleTests {
    @Test func plainTextIsAlwaysPresent() {
        var bundle = MIMEBundle(plainText: "Tensor [2, 3]")
        #expect(bundle.plainText == "Tensor [2, 3]")
        bundle.add("<table></table>", as: MIMEType.html)
        #expect(bundle.data.keys.sorted() == [MIMEType.html, MIMEType.plainText])
        #expect(bundle.plainText == "Tensor [2, 3]")
    }
}
