import Foundation
import Testing

@testable import ModelServer

/// The predict body's direct parser against the `JSONDecoder` it replaced (kept below as the reference): the same
/// floats, bit for bit, on valid bodies, and the same status, reason and message on invalid ones, except where the
/// decoder accepted text that is not JSON or refused JSON that is (listed in `deviations`).
@Suite struct InputParserTests {
    /// The outcome a client sees: the rows and every float's bits, or the refusal.
    static func parsed(_ body: Data, shape: [Int], maximumBatch: Int = 8) -> String {
        do {
            let request = try body.withUnsafeBytes { bytes throws(RequestProblem) in
                try PredictionRequest(body: bytes, shape: shape, maximumBatch: maximumBatch)
            }
            return "\(request.rows) rows: \(request.values.map(\.bitPattern))"
        } catch let error as RequestProblem {
            return "\(error.status) \(error.reason): \(error.message)"
        } catch {
            return "\(error)"
        }
    }

    static func decoded(_ body: Data, shape: [Int], maximumBatch: Int = 8) -> String {
        do {
            let request = try CodablePredictionRequest(body: body, shape: shape, maximumBatch: maximumBatch)
            return "\(request.rows) rows: \(request.values.map(\.bitPattern))"
        } catch {
            return "\(error.status) \(error.reason): \(error.message)"
        }
    }

    static let agreeing: [String] = [
        #"{"inputs": [[1, 2, 3, 4]]}"#,
        #"{"inputs": [[1, 2, 3, 4], [5, 6, 7, 8.5]]}"#,
        #"{"inputs": [[[1, 2], [3, 4]]]}"#,
        #" { "inputs" : [ [ 1 , 2 , 3 , 4 ] ] } "#,
        #"{"inputs":[[1,2,3,4]]}"#,
        "{\"inputs\":\n\t[[1,\r\n2,3,4]]}",
        #"{"inputs": [[1, 2, 3, 4]], "other": {"a": [1, "b", null, true, false, {"c": -1.5e3}]}}"#,
        #"{"other": 1, "inputs": [[1, 2, 3, 4]]}"#,
        #"{"inputs": [[1, 2, 3, 4]], "inputs": [[5, 6, 7, 8]]}"#,
        #"{"inputs": [[1, 2, 3, 4]], "inputs": 7}"#,
        #"{"inputs": 7, "inputs": [[1, 2, 3, 4]]}"#,
        #"{"\u0069nputs": [[1, 2, 3, 4]]}"#,
        #"{"inputs": [[1, 2, 3, 4]], "s": "a\"b\\c\/d\b\f\n\r\t\u00e9\uD83D\uDE00"}"#,
        #"{"inputs": [[1E5, 2e+2, 3e-2, 4.25E+1]]}"#,
        #"{"inputs": [[-0, 0.0, -0.0, 0E-5]]}"#,
        #"{"inputs": [[0.1234567890123456789012345, 123456789012345678901234567890, 1.7976931348623157e308, 4.9e-324]]}"#,
        #"{"inputs": [[0.30000000000000004, 0.1, 0.2, 0.7]]}"#,
        #"{"inputs": [[-0.6018978953361511, 0.37454012036323547, 1.2345678901234567e-7, 98765.4321]]}"#,
        #"{"inputs": [[123456789012345678, 9007199254740993, 9007199254740992, 18446744073709551616]]}"#,
        #"{"inputs": [[0.000000000000000000000000000001, 10000000000000000000000, 1e22, 1e23]]}"#,
        #"{"inputs": [[-1e-7, 1e-45, -1.4e-45, 1e-46]]}"#,
        #"{"inputs": [[3.4028235e38, 2, 3, 4]]}"#,
        #"{"inputs": [[3.40282357e38, 2, 3, 4]]}"#,
        // 422 wrong_type, with the path of the first offending value
        #"{"inputs": [["a", 1, 2, 3]]}"#,
        #"{"inputs": [[true, 1, 2, 3]]}"#,
        #"{"inputs": [[null, 1, 2, 3]]}"#,
        #"{"inputs": [[{}, 1, 2, 3]]}"#,
        #"{"inputs": [[1e400, 2, 3, 4]]}"#,
        #"{"inputs": [[-1e400, 2, 3, 4]]}"#,
        #"{"inputs": [[1e400, "a"]]}"#,
        #"{"inputs": [["a", 1e400]]}"#,
        #"{"inputs": [["a", 1, 2, 3], [null, 1, 2, 3]]}"#,
        #"{"inputs": [[1, 2, 3], ["a", 1, 2, 3]]}"#,
        #"{"inputs": [[[1, 2], [3, 4]], [[1, 2], [3, "x"]]]}"#,
        #"{"inputs": [[true]]}"#,
        #"{"inputs": [true]}"#,
        #"{"inputs": null}"#,
        #"{"inputs": 5}"#,
        #"{"inputs": "x"}"#,
        #"{"inputs": {}}"#,
        "[1, 2]", "1", #""inputs""#, "null", "true",
        // 400 invalid_json, even after a value of the wrong type
        #"{"inputs": [[1, 2"#, "", "   ", #"{"inputs": [[1, 2, 3, 4]]} x"#, #"{"inputs": [[1, 2, 3, 4]]}}"#,
        #"{"inputs": [[1 2, 3, 4]]}"#, #"{"inputs" [[1, 2, 3, 4]]}"#, #"{inputs: [[1, 2, 3, 4]]}"#,
        #"{'inputs': [[1, 2, 3, 4]]}"#, #"{"inputs": [[+1, 2, 3, 4]]}"#, #"{"inputs": [[.5, 2, 3, 4]]}"#,
        #"{"inputs": [[NaN, 2, 3, 4]]}"#, #"{"inputs": [[Infinity, 2, 3, 4]]}"#,
        #"{"inputs": [[1, 2, 3, 4]], "s": "\u12"}"#, #"{"inputs": [[1, 2, 3, 4]], "s": "unterminated}"#,
        #"{"inputs": [["a", 1, 2, 3]], "later": [1, 2"#, #"{"inputs": [[1, 2, 3, 4]], "x": tru}"#,
        #"{"inputs": [[1, 2, 3, 4]], "n": nulll}"#, #"{"inputs": [[1, 2, 3, 4]], "o": {"a" 1}}"#,
        #"{"inputs": [[1, 2, 3, 4]], "o": {1: 1}}"#, #"{"inputs": [[1, 2, 3, 4]], "o": [,1]}"#,
        // 422 missing_inputs, empty_batch, wrong_shape (ragged, wrong count, too deep), not_finite; 413
        #"{"rows": []}"#, "{}", #"{"inputs": []}"#, #"{"inputs": [[1, 2, 3]]}"#, #"{"inputs": [[[1, 2], [3]]]}"#,
        #"{"inputs": [1, 2, 3, 4]}"#, #"{"inputs": [[], [1, 2, 3, 4]]}"#, #"{"inputs": [[[]]]}"#,
        #"{"inputs": [[[1, 2], 3, 4]]}"#, #"{"inputs": [[1, [2], 3, 4]]}"#, #"{"inputs": [[1e39, 2, 3, 4]]}"#,
        #"{"inputs": [[3.4028236e38, 2, 3, 4]]}"#, #"{"inputs": [[[[[1]]]]]}"#,
        "{\"inputs\": " + String(repeating: "[", count: 2000) + "]}",
        "{\"inputs\": [" + Array(repeating: "[1, 2, 3, 4]", count: 9).joined(separator: ", ") + "]}",
        "{\"inputs\": [" + Array(repeating: "[1, 2, 3]", count: 8).joined(separator: ", ") + ", [\"a\"]]}",
    ]

    @Test("valid and invalid bodies: the same floats and the same 4xx as JSONDecoder", arguments: agreeing)
    func agreesWithJSONDecoder(_ body: String) {
        for shape in [[4], [2, 2]] {
            let data = Data(body.utf8)
            #expect(Self.parsed(data, shape: shape) == Self.decoded(data, shape: shape), "shape \(shape)")
        }
    }

    @Test("bytes: a UTF-8 byte order mark is skipped, a key that is not UTF-8 is not JSON, UTF-16 is refused")
    func bytes() {
        let body = Array(#"{"inputs": [[1, 2, 3, 4]]}"#.utf8)
        for data in [
            Data([0xEF, 0xBB, 0xBF] + body),
            Data(Array(#"{"inputs": [[1, 2, 3, 4]], "s": "ab"#.utf8) + [0xFF, 0xFE] + Array(#""}"#.utf8)),
            Data(Array(#"{"inputs": [[1, 2, 3, 4]], "s"#.utf8) + [0xC3] + Array(#"": 1}"#.utf8)),
            Data(body + [0]),
        ] {
            #expect(Self.parsed(data, shape: [4]) == Self.decoded(data, shape: [4]))
        }
        // JSONDecoder read UTF-16 too; JSON on the network is UTF-8 (RFC 8259).
        let utf16 = #"{"inputs": [[1, 2, 3, 4]]}"#.data(using: .utf16)!
        #expect(Self.parsed(utf16, shape: [4]) == "400 invalid_json: the body is not valid JSON")
        #expect(Self.decoded(utf16, shape: [4]).hasPrefix("1 rows"))
    }

    /// Where the two differ on purpose: JSONDecoder accepted trailing commas, bad escapes, raw control characters
    /// and malformed numbers in values it skipped, and UTF-16 bodies; it refused `0e5` and numbers that underflow
    /// to zero, and called a malformed number among the inputs a value of the wrong type.
    static let deviations: [(body: String, parsed: String, decoded: String)] = [
        (#"{"inputs": [[1, 2, 3, 4],]}"#, "400", "1 rows"),
        (#"{"inputs": [[1, 2, 3, 4]],}"#, "400", "1 rows"),
        (#"{"inputs": [[1, 2, 3, 4]], "o": [1,]}"#, "400", "1 rows"),
        (#"{"inputs": [[1, 2, 3, 4]], "s": "bad \x escape"}"#, "400", "1 rows"),
        ("{\"inputs\": [[1, 2, 3, 4]], \"s\": \"tab\tinside\"}", "400", "1 rows"),
        (#"{"inputs": [[1, 2, 3, 4]], "o": 0123}"#, "400", "1 rows"),
        (#"{"inputs": [[1, 2, 3, 4]], "o": 1.5e}"#, "400", "1 rows"),
        (#"{"inputs": [[01, 2, 3, 4]]}"#, "400", "422 wrong_type"),
        (#"{"inputs": [[1., 2, 3, 4]]}"#, "400", "422 wrong_type"),
        (#"{"inputs": [[-, 2, 3, 4]]}"#, "400", "422 wrong_type"),
        (#"{"inputs": [[0e5, 1e-400, 3, 4]]}"#, "1 rows: [0, 0, 1077936128, 1082130432]", "422 wrong_type"),
    ]

    @Test("strict JSON where JSONDecoder was lenient or wrong", arguments: 0..<deviations.count)
    func deviation(_ index: Int) {
        let (body, parsed, decoded) = Self.deviations[index]
        #expect(Self.parsed(Data(body.utf8), shape: [4]).hasPrefix(parsed))
        #expect(Self.decoded(Data(body.utf8), shape: [4]).hasPrefix(decoded))
    }

    @Test("the exact messages a client reads")
    func messages() {
        let cases: [(String, String)] = [
            (#"{"inputs": [[1, 2"#, "400 invalid_json: the body is not valid JSON"),
            (#"{"rows": []}"#, #"422 missing_inputs: the body needs an "inputs" array"#),
            (#"{"inputs": []}"#, #"422 empty_batch: "inputs" is empty"#),
            (
                #"{"inputs": [[1, 2], [1, "a"]]}"#,
                "422 wrong_type: inputs.1.1: inputs hold only numbers and arrays of numbers"
            ),
            (
                #"{"inputs": [[1, 2, 3, 4], [[1, 2], [3]]]}"#,
                "422 wrong_shape: input 1 has shape ragged; the model takes [2, 2] (or 4 numbers flat)"
            ),
            (
                #"{"inputs": [[1, 2, 3]]}"#,
                "422 wrong_shape: input 0 has shape [3]; the model takes [2, 2] (or 4 numbers flat)"
            ),
            (#"{"inputs": [[[[[1]]]]]}"#, "422 wrong_shape: inputs are nested deeper than the input shape [2, 2]"),
            (#"{"inputs": [[1, 2, 3, 1e39]]}"#, "422 not_finite: input 0 has a number out of range"),
            (
                "{\"inputs\": [" + Array(repeating: "[1, 2, 3, 4]", count: 9).joined(separator: ", ") + "]}",
                "413 batch_too_large: 9 samples exceed the limit of 8 per request"
            ),
        ]
        for (body, expected) in cases {
            #expect(Self.parsed(Data(body.utf8), shape: [2, 2]) == expected)
        }
    }

    @Test("random numbers in every notation read back to the same floats as JSONDecoder's")
    func numbers() {
        var generator = SplitMix(seed: 16)
        var bodies: [String] = []
        for _ in 0..<400 {
            let numbers = (0..<4).map { _ -> String in
                let bits = generator.next()
                let value: Double =
                    switch bits % 5 {
                    case 0: Double(Float(bitPattern: UInt32(truncatingIfNeeded: bits >> 8)))
                    case 1: Double(bitPattern: bits >> 1 | (bits & 1) << 63)
                    case 2: Double(Int64(truncatingIfNeeded: bits) % 1_000_000) / 1000
                    case 3: Double(bits >> 11) / Double(1 << 53) * pow(10, Double(Int(bits % 81) - 40))
                    default: Double(Float(bits >> 40) / Float(1 << 24) - 0.5)
                    }
                guard value.isFinite else { return "1" }
                return bits % 7 == 0 ? String(format: "%.25e", value) : "\(value)"
            }
            bodies.append("{\"inputs\": [[" + numbers.joined(separator: ", ") + "]]}")
        }
        for body in bodies {
            let data = Data(body.utf8)
            #expect(Self.parsed(data, shape: [4]) == Self.decoded(data, shape: [4]), "\(body)")
        }
    }

    @Test("the predict answer: valid JSON, floats that read back exactly, labels escaped, NaN refused")
    func answers() throws {
        let writer = PredictionWriter(
            labels: ["cat", #"say "hi"\"#, "naïve 🐱"], fingerprint: "abc123", version: #"v"1""#)
        let rows: [[Float]] = [[0.1, 0.7, 0.2], [1e-7, 0.3333333, 0.6666666], [0.5, 0.5, 0]]
        let body = try #require(writer.body(rows))
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any])
        let predictions = try #require(object["predictions"] as? [[String: Any]])
        #expect(predictions.map { $0["class"] as? Int } == [1, 2, 0])
        #expect(predictions.map { $0["label"] as? String } == [#"say "hi"\"#, "naïve 🐱", "cat"])
        let probabilities = predictions.map { ($0["probabilities"] as? [Double] ?? []).map(Float.init) }
        #expect(probabilities == rows)
        let model = try #require(object["model"] as? [String: String])
        #expect(model == ["fingerprint": "abc123", "version": #"v"1""#])
        #expect(writer.body([[0.5, .nan, 0.5]]) == nil)
        #expect(writer.body([[0.5, 0.5]]) == nil)
    }
}

/// A deterministic 64-bit generator (SplitMix64) for the number test.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The parser the server used before (issue 16): `JSONDecoder` over a recursive `Decodable` enum, with the same
/// checks after decoding. The reference the direct parser is compared with.
struct CodablePredictionRequest {
    let values: [Float]
    let rows: Int

    indirect enum Node: Decodable {
        case number(Double)
        case array([Node])

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Double.self) {
                self = .number(number)
            } else {
                self = .array(try container.decode([Node].self))
            }
        }
    }

    struct Body: Decodable {
        let inputs: [Node]
    }

    init(body: Data, shape: [Int], maximumBatch: Int) throws(RequestProblem) {
        let depth = body.withUnsafeBytes { PredictionRequest.nestingDepth(of: $0) }
        guard depth <= shape.count + 2 else {
            throw RequestProblem(
                status: 422, reason: "wrong_shape", message: "inputs are nested deeper than the input shape \(shape)")
        }
        let parsed: Body
        do {
            parsed = try JSONDecoder().decode(Body.self, from: body)
        } catch DecodingError.keyNotFound {
            throw RequestProblem(status: 422, reason: "missing_inputs", message: "the body needs an \"inputs\" array")
        } catch DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context) {
            let path = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            throw RequestProblem(
                status: 422, reason: "wrong_type", message: "\(path): inputs hold only numbers and arrays of numbers")
        } catch {
            throw RequestProblem(status: 400, reason: "invalid_json", message: "the body is not valid JSON")
        }
        guard !parsed.inputs.isEmpty else {
            throw RequestProblem(status: 422, reason: "empty_batch", message: "\"inputs\" is empty")
        }
        guard parsed.inputs.count <= maximumBatch else {
            throw RequestProblem(
                status: 413, reason: "batch_too_large",
                message: "\(parsed.inputs.count) samples exceed the limit of \(maximumBatch) per request")
        }
        let width = shape.reduce(1, *)
        var values: [Float] = []
        for (index, sample) in parsed.inputs.enumerated() {
            var numbers: [Double] = []
            let sampleShape = Self.flatten(sample, into: &numbers)
            guard numbers.count == width, sampleShape == [width] || sampleShape == shape else {
                let given = sampleShape.map { "[" + $0.map(String.init).joined(separator: ", ") + "]" } ?? "ragged"
                throw RequestProblem(
                    status: 422, reason: "wrong_shape",
                    message: "input \(index) has shape \(given); the model takes \(shape) (or \(width) numbers flat)")
            }
            guard numbers.allSatisfy({ $0.isFinite && abs($0) <= Double(Float.greatestFiniteMagnitude) }) else {
                throw RequestProblem(
                    status: 422, reason: "not_finite", message: "input \(index) has a number out of range")
            }
            values += numbers.map(Float.init)
        }
        self.values = values
        rows = parsed.inputs.count
    }

    static func flatten(_ node: Node, into numbers: inout [Double]) -> [Int]? {
        switch node {
        case .number(let value):
            numbers.append(value)
            return []
        case .array(let items):
            var inner: [Int]?? = .none
            for item in items {
                let shape = flatten(item, into: &numbers)
                guard let shape else { return nil }
                if let known = inner, known != shape { return nil }
                inner = shape
            }
            return [items.count] + ((inner ?? []) ?? [])
        }
    }
}
