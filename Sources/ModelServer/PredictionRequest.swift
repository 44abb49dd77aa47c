// PredictionRequest: the JSON body of POST /v1/predict, parsed and checked against the model's input shape.
import Foundation

/// A validation failure: the HTTP status, a reason for the metrics, and a message for the client.
struct RequestProblem: Error, Equatable {
    let status: Int
    let reason: String
    let message: String
}

/// A batch of samples, each given flat (`[64]`) or nested in the model's input shape (`[[…8], …8]` for `[8, 8]`):
/// `{"inputs": [sample, …]}`.
struct PredictionRequest {
    let values: [Float]
    let rows: Int

    /// A JSON value as far as inputs go: numbers and arrays.
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

    /// Parses and validates `body` for a model taking samples of `shape`, at most `maximumBatch` of them.
    init(body: Data, shape: [Int], maximumBatch: Int) throws(RequestProblem) {
        // Nesting deeper than the shape can need is refused before decoding (a decoder recurses per level).
        guard Self.nestingDepth(of: body) <= shape.count + 2 else {
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
        values.reserveCapacity(parsed.inputs.count * width)
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

    /// Appends the numbers of `node` in order and returns its shape, or nil when arrays at one level differ.
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

    /// The deepest nesting of `[`/`{` outside strings.
    static func nestingDepth(of body: Data) -> Int {
        var depth = 0
        var deepest = 0
        var inString = false
        var escaped = false
        for byte in body {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                deepest = max(deepest, depth)
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        return deepest
    }
}
