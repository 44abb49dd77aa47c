// PredictionRequest: the JSON body of POST /v1/predict, parsed and checked against the model's input shape.

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

    /// Parses and validates `body` for a model taking samples of `shape`, at most `maximumBatch` of them.
    ///
    /// The checks, in order (the first that fails answers): nesting deeper than the shape can need (422, before
    /// parsing), not JSON (400), a value that is not a number or an array (422 `wrong_type`, with its path), no
    /// "inputs" (422), no samples (422), too many (413), then each sample's shape and range (422).
    init(body: UnsafeRawBufferPointer, shape: [Int], maximumBatch: Int) throws(RequestProblem) {
        guard Self.nestingDepth(of: body) <= shape.count + 2 else {
            throw RequestProblem(
                status: 422, reason: "wrong_shape", message: "inputs are nested deeper than the input shape \(shape)")
        }
        let parsed: ParsedInputs
        do {
            parsed = try InputParser.parse(body)
        } catch {
            switch error {
            case .syntax:
                throw RequestProblem(status: 400, reason: "invalid_json", message: "the body is not valid JSON")
            case .type(let path):
                throw RequestProblem(
                    status: 422, reason: "wrong_type",
                    message: "\(path.joined(separator: ".")): inputs hold only numbers and arrays of numbers")
            }
        }
        guard parsed.sawInputs else {
            throw RequestProblem(status: 422, reason: "missing_inputs", message: "the body needs an \"inputs\" array")
        }
        let count = parsed.samples.count
        guard count > 0 else {
            throw RequestProblem(status: 422, reason: "empty_batch", message: "\"inputs\" is empty")
        }
        guard count <= maximumBatch else {
            throw RequestProblem(
                status: 413, reason: "batch_too_large",
                message: "\(count) samples exceed the limit of \(maximumBatch) per request")
        }
        let width = shape.reduce(1, *)
        let numbers = parsed.numbers
        for (index, sample) in parsed.samples.enumerated() {
            let end = index + 1 < count ? parsed.samples[index + 1].start : numbers.count
            guard end - sample.start == width, sample.shape == [width] || sample.shape == shape else {
                let given = sample.shape.map { "[" + $0.map(String.init).joined(separator: ", ") + "]" } ?? "ragged"
                throw RequestProblem(
                    status: 422, reason: "wrong_shape",
                    message: "input \(index) has shape \(given); the model takes \(shape) (or \(width) numbers flat)")
            }
            let limit = Double(Float.greatestFiniteMagnitude)
            for position in sample.start..<end where !(abs(numbers[position]) <= limit) {
                throw RequestProblem(
                    status: 422, reason: "not_finite", message: "input \(index) has a number out of range")
            }
        }
        values = numbers.map(Float.init)
        rows = count
    }

    /// The deepest nesting of `[`/`{` outside strings.
    static func nestingDepth(of body: UnsafeRawBufferPointer) -> Int {
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
