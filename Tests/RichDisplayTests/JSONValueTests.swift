import Foundation
import RichDisplay
import Testing

@Suite("JSONValue: parsing and printing")
struct JSONValueTests {
    @Test("parses every JSON type and prints it back compactly")
    func roundTrip() throws {
        let text = #"{"b":[1,2.5,true,null,"x"],"a":{"n":-3}}"#
        let value = try JSONValue(parsing: Data(text.utf8))
        #expect(value["b"] == [1, 2.5, true, nil, "x"])
        #expect(value["a"]?["n"] == -3)
        #expect(try JSONValue(parsing: value.serialized) == value)
        #expect(JSONValue.object(["b": [1, 2.5, true, nil, "x"]]).jsonText == #"{"b":[1,2.5,true,null,"x"]}"#)
    }

    @Test("escapes quotes, backslashes and control characters; keeps Unicode")
    func escaping() throws {
        let value = JSONValue.string("a\"b\\c\nd\u{01}é🙂")
        #expect(value.jsonText == #""a\"b\\c\nd\u0001é🙂""#)
        #expect(try JSONValue(parsing: value.serialized) == value)
    }

    @Test("jsonText sorts every object's keys, so one value always gives one text; the wire bytes parse the same")
    func sortedText() throws {
        let value: JSONValue = ["z": 1, "a": ["y": true, "b": nil], "m": [["k": "v", "c": 2.5]]]
        #expect(value.jsonText == #"{"a":{"b":null,"y":true},"m":[{"c":2.5,"k":"v"}],"z":1}"#)
        #expect(try JSONValue(parsing: value.serialized) == value)
        #expect(JSONValue(jsonText: value.jsonText) == value)
        #expect(JSONValue(jsonText: "{not json") == nil)
    }

    @Test("rejects malformed text")
    func malformed() {
        #expect(throws: (any Error).self) { try JSONValue(parsing: Data("{\"a\":".utf8)) }
    }
}

@Suite("JSONValue: numbers and booleans keep their kinds")
struct JSONValueKindTests {
    @Test("true/false are booleans, 0/1 integers, 1.0 and 2.5 doubles, big integers stay exact")
    func kinds() throws {
        let value = try JSONValue(parsing: Data(#"[true, false, 0, 1, 1.0, 2.5, 9007199254740993, -7, 1e3]"#.utf8))
        #expect(
            value == [
                .bool(true), .bool(false), .int(0), .int(1), .double(1.0), .double(2.5), .int(9_007_199_254_740_993),
                .int(-7), .double(1000),
            ])
    }
}
