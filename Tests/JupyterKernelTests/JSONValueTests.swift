import Foundation
import Testing

@testable import JupyterKernel

@Suite("JSONValue: parsing and printing")
struct JSONValueTests {
    @Test("parses every JSON type and prints it back compactly, keys sorted")
    func roundTrip() throws {
        let text = #"{"b":[1,2.5,true,null,"x"],"a":{"n":-3}}"#
        let value = try JSONValue(parsing: Data(text.utf8))
        #expect(value["b"] == [1, 2.5, true, nil, "x"])
        #expect(value["a"]?["n"] == -3)
        #expect(value.jsonText == #"{"a":{"n":-3},"b":[1,2.5,true,null,"x"]}"#)
    }

    @Test("escapes quotes, backslashes and control characters; keeps Unicode")
    func escaping() throws {
        let value = JSONValue.string("a\"b\\c\nd\u{01}é🙂")
        #expect(value.jsonText == #""a\"b\\c\nd\u0001é🙂""#)
        #expect(try JSONValue(parsing: value.serialized) == value)
    }

    @Test("rejects malformed text")
    func malformed() {
        #expect(throws: (any Error).self) { try JSONValue(parsing: Data("{\"a\":".utf8)) }
    }
}
