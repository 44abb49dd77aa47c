// InputParser: one pass over the bytes of a predict body, straight to floats, without a JSON tree or Codable.
//
// Under load, `JSONDecoder` over a recursive `Decodable` enum was two thirds of the server's CPU for a batch of 32
// digits (perf, issue 16): a container, a coding path and generic metadata per number. This parser reads the same
// grammar (RFC 8259) and reports the same problems as that decoder did, in the same order: a syntax error anywhere
// (400), then the first value of the wrong type in document order (422 with its path), then a missing "inputs".

/// What one pass over a body found: the samples' numbers (each sample's in order, appended), each sample's shape
/// (nil when ragged), and the first problem that `JSONDecoder` would have thrown.
struct ParsedInputs {
    /// The numbers of every sample, as `Double` (a sample's values are checked against `Float`'s range later).
    var numbers: [Double] = []
    /// Per sample: where its numbers start in `numbers`, and its shape (nil: arrays at one level differ).
    var samples: [(start: Int, shape: [Int]?)] = []
    /// Whether the body had an "inputs" key at the top level.
    var sawInputs = false
}

/// The body did not parse: `syntax` (not JSON) or `type` (JSON, but a value of the wrong type at `path`).
enum InputParseFailure: Error, Equatable {
    case syntax
    case type(path: [String])
}

/// A recursive-descent parser over the body's bytes; one method per rule of the JSON grammar.
struct InputParser {
    private let bytes: UnsafeRawBufferPointer
    private var index = 0
    private var result = ParsedInputs()
    /// The first value of the wrong type; parsing goes on, since a syntax error later still wins (400).
    private var typeProblem: [String]?
    /// The path to the value being read: array indices below "inputs" (`nil`: outside "inputs").
    private var path: [Int]?

    private init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// Parses a whole body.
    static func parse(_ bytes: UnsafeRawBufferPointer) throws(InputParseFailure) -> ParsedInputs {
        var parser = InputParser(bytes)
        parser.result.numbers.reserveCapacity(bytes.count / 8)
        // A UTF-8 byte order mark is allowed before the value (JSONDecoder allows it).
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { parser.index = 3 }
        parser.skipWhitespace()
        // The body: an object, where "inputs" is read; any other value is valid JSON of the wrong type.
        if parser.peek == UInt8(ascii: "{") {
            try parser.parseTopObject()
        } else {
            try parser.skipValue()
            parser.noteTypeProblem()
        }
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw .syntax }
        if let path = parser.typeProblem { throw .type(path: path) }
        return parser.result
    }

    // MARK: the body object

    /// object → '{' (string ':' value (',' string ':' value)*)? '}', reading "inputs" and skipping the rest.
    private mutating func parseTopObject() throws(InputParseFailure) {
        index += 1
        skipWhitespace()
        if peek == UInt8(ascii: "}") {
            index += 1
            return
        }
        while true {
            let isInputs = try parseKeyIsInputs()
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            skipWhitespace()
            if isInputs && !result.sawInputs {
                // A repeated "inputs" key is skipped: JSONDecoder reads the first one.
                result.sawInputs = true
                path = []
                try parseInputs()
                path = nil
            } else {
                try skipValue()
            }
            skipWhitespace()
            guard let byte = next() else { throw .syntax }
            if byte == UInt8(ascii: "}") { return }
            guard byte == UInt8(ascii: ",") else { throw .syntax }
            skipWhitespace()
        }
    }

    /// Reads a key and tells whether it is "inputs" (spelled with escapes or not).
    private mutating func parseKeyIsInputs() throws(InputParseFailure) -> Bool {
        guard peek == UInt8(ascii: "\"") else { throw .syntax }
        let start = index + 1
        let hasEscapes = try skipString()
        let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<(index - 1)])
        // Keys must be UTF-8 (JSONDecoder decodes every key; values it skips are not checked).
        guard String(validating: raw, as: UTF8.self) != nil else { throw .syntax }
        if !hasEscapes { return raw.elementsEqual("inputs".utf8) }
        return Self.unescaped(raw) == "inputs"
    }

    /// inputs → '[' sample (',' sample)* ']'; anything else is the wrong type ("inputs" must be an array).
    private mutating func parseInputs() throws(InputParseFailure) {
        guard peek == UInt8(ascii: "[") else {
            try skipValue()
            noteTypeProblem()
            return
        }
        index += 1
        skipWhitespace()
        if peek == UInt8(ascii: "]") {
            index += 1
            return
        }
        var count = 0
        while true {
            path?.append(count)
            let start = result.numbers.count
            let shape = try parseSample()
            result.samples.append((start, shape))
            path?.removeLast()
            count += 1
            skipWhitespace()
            guard let byte = next() else { throw .syntax }
            if byte == UInt8(ascii: "]") { return }
            guard byte == UInt8(ascii: ",") else { throw .syntax }
            skipWhitespace()
        }
    }

    /// sample → number | '[' sample (',' sample)* ']'. Returns its shape ([] for a number, [n] + the items' shape
    /// for an array, [0] for an empty one), or nil when items at one level have different shapes. Strings,
    /// booleans, null and objects are the wrong type; reading goes on to the end of the body either way.
    private mutating func parseSample() throws(InputParseFailure) -> [Int]? {
        guard let byte = peek else { throw .syntax }
        if byte == UInt8(ascii: "-") || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) {
            // A number too large for a Double is the wrong type too (JSONDecoder: "does not fit in Double").
            if let value = try parseNumber() {
                result.numbers.append(value)
            } else {
                noteTypeProblem()
            }
            return []
        }
        guard byte == UInt8(ascii: "[") else {
            try skipValue()
            noteTypeProblem()
            return []
        }
        index += 1
        skipWhitespace()
        if peek == UInt8(ascii: "]") {
            index += 1
            return [0]
        }
        var count = 0
        var inner: [Int]?? = .none
        var ragged = false
        while true {
            path?.append(count)
            let shape = try parseSample()
            path?.removeLast()
            if let known = inner {
                if known != shape { ragged = true }
            } else {
                inner = .some(shape)
            }
            if shape == nil { ragged = true }
            count += 1
            skipWhitespace()
            guard let next = next() else { throw .syntax }
            if next == UInt8(ascii: "]") { break }
            guard next == UInt8(ascii: ",") else { throw .syntax }
            skipWhitespace()
        }
        guard !ragged else { return nil }
        switch inner {
        case .some(.some(let innerShape)): return [count] + innerShape
        default: return [count]
        }
    }

    /// Remembers the first value of the wrong type, by its path as `JSONDecoder` names it ("inputs.0.3").
    private mutating func noteTypeProblem() {
        guard typeProblem == nil else { return }
        typeProblem = path.map { ["inputs"] + $0.map(String.init) } ?? []
    }

    // MARK: values, validated and skipped

    /// value → object | array | string | number | true | false | null, checked and passed over.
    private mutating func skipValue() throws(InputParseFailure) {
        guard let byte = peek else { throw .syntax }
        switch byte {
        case UInt8(ascii: "{"):
            index += 1
            skipWhitespace()
            if peek == UInt8(ascii: "}") {
                index += 1
                return
            }
            while true {
                guard peek == UInt8(ascii: "\"") else { throw .syntax }
                _ = try skipString()
                skipWhitespace()
                try expect(UInt8(ascii: ":"))
                skipWhitespace()
                try skipValue()
                skipWhitespace()
                guard let next = next() else { throw .syntax }
                if next == UInt8(ascii: "}") { return }
                guard next == UInt8(ascii: ",") else { throw .syntax }
                skipWhitespace()
            }
        case UInt8(ascii: "["):
            index += 1
            skipWhitespace()
            if peek == UInt8(ascii: "]") {
                index += 1
                return
            }
            while true {
                try skipValue()
                skipWhitespace()
                guard let next = next() else { throw .syntax }
                if next == UInt8(ascii: "]") { return }
                guard next == UInt8(ascii: ",") else { throw .syntax }
                skipWhitespace()
            }
        case UInt8(ascii: "\""): _ = try skipString()
        case UInt8(ascii: "t"): try expectWord("true")
        case UInt8(ascii: "f"): try expectWord("false")
        case UInt8(ascii: "n"): try expectWord("null")
        default: _ = try parseNumber()
        }
    }

    /// string → '"' (char | '\' escape)* '"'; returns whether it had escapes. Control characters and invalid
    /// escapes are syntax errors, as in JSONDecoder.
    private mutating func skipString() throws(InputParseFailure) -> Bool {
        index += 1
        var hasEscapes = false
        while let byte = next() {
            switch byte {
            case UInt8(ascii: "\""): return hasEscapes
            case UInt8(ascii: "\\"):
                hasEscapes = true
                guard let escape = next() else { throw .syntax }
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    break
                case UInt8(ascii: "u"):
                    for _ in 0..<4 {
                        guard let digit = next(), Self.hexValue(digit) != nil else { throw .syntax }
                    }
                default: throw .syntax
                }
            case 0..<0x20: throw .syntax
            default: break
            }
        }
        throw .syntax
    }

    /// number → '-'? ('0' | [1-9][0-9]*) ('.' [0-9]+)? ([eE] [+-]? [0-9]+)?; returns the correctly rounded
    /// Double, or nil when the number does not fit in one (a syntax error throws).
    private mutating func parseNumber() throws(InputParseFailure) -> Double? {
        let start = index
        var negative = false
        if peek == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        // The significant digits as an integer (while they fit in 19 digits) and the power of ten they need.
        var mantissa: UInt64 = 0
        var digits = 0
        var exponent = 0
        var exact = true
        guard let first = peek, Self.isDigit(first) else { throw .syntax }
        if first == UInt8(ascii: "0") {
            index += 1
        } else {
            while let byte = peek, Self.isDigit(byte) {
                Self.accumulate(byte, into: &mantissa, digits: &digits, exact: &exact, exponent: &exponent, scale: 1)
                index += 1
            }
        }
        if peek == UInt8(ascii: ".") {
            index += 1
            guard let byte = peek, Self.isDigit(byte) else { throw .syntax }
            while let byte = peek, Self.isDigit(byte) {
                Self.accumulate(byte, into: &mantissa, digits: &digits, exact: &exact, exponent: &exponent, scale: 0)
                exponent -= 1
                index += 1
            }
        }
        if let byte = peek, byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
            index += 1
            var sign = 1
            if let signByte = peek, signByte == UInt8(ascii: "+") || signByte == UInt8(ascii: "-") {
                sign = signByte == UInt8(ascii: "-") ? -1 : 1
                index += 1
            }
            guard let byte = peek, Self.isDigit(byte) else { throw .syntax }
            var power = 0
            while let byte = peek, Self.isDigit(byte) {
                // Beyond any Double's range either way; capped so the sum cannot overflow.
                power = Swift.min(power * 10 + Int(byte - UInt8(ascii: "0")), 100_000)
                index += 1
            }
            exponent += sign * power
        }
        // Clinger's fast path: an integer below 2^53 times or over an exact power of ten is one correctly rounded
        // operation. Anything else goes through the standard library's correctly rounded conversion.
        var value: Double
        if exact && mantissa <= 1 << 53 && abs(exponent) <= 22 {
            value = Double(mantissa)
            value = exponent < 0 ? value / Self.powersOfTen[-exponent] : value * Self.powersOfTen[exponent]
            if negative { value = -value }
        } else {
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            guard let parsed = Double(text) else { throw .syntax }
            value = parsed
        }
        return value.isFinite ? value : nil
    }

    /// Adds one digit to the mantissa; once 19 digits are held, later integer digits only scale the value (and the
    /// result is no longer exact, so the slow path converts it).
    private static func accumulate(
        _ byte: UInt8, into mantissa: inout UInt64, digits: inout Int, exact: inout Bool, exponent: inout Int,
        scale: Int
    ) {
        let digit = UInt64(byte - UInt8(ascii: "0"))
        if mantissa == 0 && digit == 0 { return }  // leading zeros (0.000123) add no significant digit
        if digits < 19 {
            mantissa = mantissa * 10 + digit
            digits += 1
        } else {
            exact = false
            exponent += scale
        }
    }

    private static let powersOfTen: [Double] = (0...22).map { power in
        var value = 1.0
        for _ in 0..<power { value *= 10 }
        return value
    }

    // MARK: bytes

    private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func next() -> UInt8? {
        guard index < bytes.count else { return nil }
        defer { index += 1 }
        return bytes[index]
    }

    private mutating func expect(_ byte: UInt8) throws(InputParseFailure) {
        guard next() == byte else { throw .syntax }
    }

    private mutating func expectWord(_ word: StaticString) throws(InputParseFailure) {
        let length = word.utf8CodeUnitCount
        guard index + length <= bytes.count else { throw .syntax }
        for offset in 0..<length where bytes[index + offset] != word.utf8Start[offset] { throw .syntax }
        index += length
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// The text of a key with escapes, for comparing it with "inputs" (surrogate pairs become one character).
    private static func unescaped(_ raw: UnsafeRawBufferPointer) -> String {
        var scalars = String.UnicodeScalarView()
        var units: [UInt8] = []
        var position = 0
        func flush() {
            scalars.append(contentsOf: String(decoding: units, as: UTF8.self).unicodeScalars)
            units.removeAll()
        }
        func hex(at offset: Int) -> UInt32 {
            (0..<4).reduce(0) { $0 << 4 | (hexValue(raw[offset + $1]) ?? 0) }
        }
        while position < raw.count {
            let byte = raw[position]
            guard byte == UInt8(ascii: "\\") else {
                units.append(byte)
                position += 1
                continue
            }
            flush()
            let escape = raw[position + 1]
            position += 2
            switch escape {
            case UInt8(ascii: "u"):
                var code = hex(at: position)
                position += 4
                if (0xD800..<0xDC00).contains(code), position + 6 <= raw.count, raw[position] == UInt8(ascii: "\\"),
                    raw[position + 1] == UInt8(ascii: "u")
                {
                    let low = hex(at: position + 2)
                    if (0xDC00..<0xE000).contains(low) {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        position += 6
                    }
                }
                scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
            case UInt8(ascii: "b"): scalars.append("\u{08}")
            case UInt8(ascii: "f"): scalars.append("\u{0C}")
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "t"): scalars.append("\t")
            default: scalars.append(Unicode.Scalar(escape))
            }
        }
        flush()
        return String(scalars)
    }
}
