/// Text building for string interpolation: the pieces are written as UTF-8 bytes into a buffer on
/// the stack (Ints formatted in place) and become one `String` at the end, instead of a chain of
/// `String` appends, each of which checks capacity, uniqueness and ASCII-ness and may allocate.
struct UTF8Builder {
    private let stack: UnsafeMutableBufferPointer<UInt8>
    private var count = 0
    /// The bytes once they no longer fit on the stack.
    private var heap: [UInt8]?

    static let stackCapacity = 256

    init(stack: UnsafeMutableBufferPointer<UInt8>) {
        self.stack = stack
    }

    /// Runs `body` with a builder over a stack buffer and returns the text it built. Each call has
    /// its own buffer, so an interpolation evaluated inside another one (a function called from
    /// `\(…)`) is safe.
    @inline(__always)
    static func build(_ body: (inout UTF8Builder) throws -> Void) rethrows -> String {
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: stackCapacity) { buffer in
            var builder = UTF8Builder(stack: buffer)
            try body(&builder)
            return builder.finish()
        }
    }

    @inline(__always)
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        let n = bytes.count
        if heap == nil, count + n <= stack.count {
            if n > 0 { (stack.baseAddress! + count).update(from: bytes.baseAddress!, count: n) }
            count += n
            return
        }
        appendToHeap(bytes)
    }

    @inline(never)
    private mutating func appendToHeap(_ bytes: UnsafeBufferPointer<UInt8>) {
        if heap == nil {
            var moved: [UInt8] = []
            moved.reserveCapacity(Swift.max(2 * stack.count, count + bytes.count))
            moved.append(contentsOf: UnsafeBufferPointer(rebasing: stack[0..<count]))
            heap = moved
        }
        heap!.append(contentsOf: bytes)
    }

    @inline(__always)
    mutating func append(_ string: String) {
        var string = string
        string.withUTF8 { append($0) }
    }

    /// An Int in decimal, as `String(i)` writes it.
    @inline(__always)
    mutating func append(_ value: Int) {
        // 20 digits and a sign hold any Int.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { digits in
            var magnitude = value.magnitude
            var start = 24
            repeat {
                start -= 1
                digits[start] = UInt8(truncatingIfNeeded: 48 + magnitude % 10)
                magnitude /= 10
            } while magnitude != 0
            if value < 0 {
                start -= 1
                digits[start] = 45  // "-"
            }
            append(UnsafeBufferPointer(rebasing: digits[start..<24]))
        }
    }

    /// What interpolating `value` writes: strings bare, numbers as Swift prints them.
    @inline(__always)
    mutating func append(_ value: Value) {
        switch value {
        case .string(let s): append(s)
        case .int(let i): append(i)
        default: append(value.description)
        }
    }

    func finish() -> String {
        if let heap { return String(decoding: heap, as: UTF8.self) }
        return String(decoding: UnsafeBufferPointer(rebasing: stack[0..<count]), as: UTF8.self)
    }
}

extension Value {
    /// `string.count` (Characters, that is grapheme clusters) without walking grapheme breaks when
    /// the string is ASCII: every ASCII scalar is then one Character except `\r\n`, which is one.
    /// Swift's own `count` walks every grapheme boundary (~20 instructions a character).
    static func characterCount(of string: String) -> Int {
        var string = string
        let fast: Int? = string.withUTF8 { bytes -> Int? in
            let n = bytes.count
            guard let base = bytes.baseAddress else { return 0 }
            var crlf = 0
            var i = 0
            let high: UInt64 = 0x8080_8080_8080_8080
            let ones: UInt64 = 0x0101_0101_0101_0101
            let cr: UInt64 = 0x0D0D_0D0D_0D0D_0D0D
            while i + 8 <= n {
                let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                if word & high != 0 { return nil }
                let x = word ^ cr
                if (x &- ones) & ~x & high != 0 {
                    // A carriage return in these 8 bytes: count the `\r\n` pairs one by one.
                    for j in i..<(i + 8) where base[j] == 13 && j + 1 < n && base[j + 1] == 10 { crlf += 1 }
                }
                i += 8
            }
            while i < n {
                if base[i] >= 0x80 { return nil }
                if base[i] == 13 && i + 1 < n && base[i + 1] == 10 { crlf += 1 }
                i += 1
            }
            return n - crlf
        }
        return fast ?? string.count
    }
}

/// The pieces of a short interpolation (`Compiler.compileShortInterpolation`): a value is a String
/// or an Int (written as digits) or, for anything else, its `description`; `.nil` stands for no value.
enum Interpolation {
    @inline(__always)
    static func piece(_ value: Value) -> Value {
        switch value {
        case .string, .int: return value
        default: return .string(value.description)
        }
    }

    @inline(__always)
    static func length(_ piece: Value) -> Int {
        switch piece {
        case .string(let s): return s.utf8.count
        case .int(let i): return digitCount(i)
        default: return 0
        }
    }

    /// The number of characters `value` prints as (sign included). Wrapping arithmetic: the count is at most 20.
    @inline(__always)
    static func digitCount(_ value: Int) -> Int {
        var magnitude = value.magnitude
        var count = value < 0 ? 2 : 1
        while magnitude >= 100 {
            magnitude /= 100
            count &+= 2
        }
        return magnitude >= 10 ? count &+ 1 : count
    }

    /// "00", "01", … "99": two digits per division when formatting an Int. Allocated once for the
    /// process and read through the pointer (an array would be retained and released on every use).
    nonisolated(unsafe) static let digitPairs: UnsafePointer<UInt8> = {
        let pairs = UnsafeMutablePointer<UInt8>.allocate(capacity: 200)
        for value in 0..<100 {
            pairs[2 * value] = 48 + UInt8(value / 10)
            pairs[2 * value + 1] = 48 + UInt8(value % 10)
        }
        return UnsafePointer(pairs)
    }()

    /// Copies `text[range]` to `out + offset`; returns the offset after it. The offsets are within the buffer
    /// whose length was added up (with overflow checks) before, so they are advanced without checks here.
    @inline(__always)
    static func copy(
        _ text: UnsafePointer<UInt8>, _ range: (start: Int, end: Int), to out: UnsafeMutablePointer<UInt8>,
        at offset: Int
    ) -> Int {
        let n = range.end &- range.start
        let source = UnsafeRawPointer(text + range.start)
        let target = UnsafeMutableRawPointer(out + offset)
        // Short texts (most of them) byte by byte below 4 bytes, else in two overlapping words: cheaper than a
        // call to memmove.
        if n < 4 {
            var index = 0
            while index < n {
                (target + index).storeBytes(of: (source + index).load(as: UInt8.self), as: UInt8.self)
                index &+= 1
            }
        } else if n < 8 {
            target.storeBytes(of: source.loadUnaligned(as: UInt32.self), as: UInt32.self)
            (target + (n &- 4)).storeBytes(of: (source + (n &- 4)).loadUnaligned(as: UInt32.self), as: UInt32.self)
        } else if n <= 16 {
            target.storeBytes(of: source.loadUnaligned(as: UInt64.self), as: UInt64.self)
            (target + (n &- 8)).storeBytes(of: (source + (n &- 8)).loadUnaligned(as: UInt64.self), as: UInt64.self)
        } else {
            target.copyMemory(from: source, byteCount: n)
        }
        return offset &+ n
    }

    @inline(__always)
    static func write(
        _ piece: Value, to out: UnsafeMutablePointer<UInt8>, at offset: Int, pairs: UnsafePointer<UInt8>
    ) -> Int {
        switch piece {
        case .string(let s):
            let n = s.utf8.count
            let copied: Void? = s.utf8.withContiguousStorageIfAvailable { bytes in
                if n > 0 { (out + offset).update(from: bytes.baseAddress!, count: n) }
            }
            if copied == nil {
                var at = offset
                for byte in s.utf8 {
                    out[at] = byte
                    at += 1
                }
            }
            return offset + n
        case .int(let i):
            let n = digitCount(i)
            var magnitude = i.magnitude
            var at = out + offset + n
            while magnitude >= 100 {
                let pair = pairs + Int(truncatingIfNeeded: magnitude % 100) &* 2
                magnitude /= 100
                at -= 2
                at[0] = pair[0]
                at[1] = pair[1]
            }
            if magnitude >= 10 {
                let pair = pairs + Int(truncatingIfNeeded: magnitude) &* 2
                at -= 2
                at[0] = pair[0]
                at[1] = pair[1]
            } else {
                at -= 1
                at[0] = UInt8(truncatingIfNeeded: 48 &+ magnitude)
            }
            if i < 0 { out[offset] = 45 }  // "-"
            return offset &+ n
        default:
            return offset
        }
    }
}

/// A compiled interpolation of at most three expressions (`"item \(i) is \(i * 2); "`,
/// `Compiler.compileShortInterpolation`): its literal text, in memory of its own for the compiled code's lifetime
/// (read through a pointer, without the retain and release of an array per evaluation), and its operands. The
/// values are evaluated left to right and their lengths added up; the text is then written in one pass, into
/// the storage of a new String.
final class ShortInterpolation {
    /// The literal text before expression 0, between 0 and 1, between 1 and 2 and after the last one, as
    /// ranges of `text`.
    private let t0, t1, t2, t3: (start: Int, end: Int)
    private let text: UnsafeMutablePointer<UInt8>
    private let textLength: Int
    let count: Int
    private let first, second, third: Operand
    /// `Interpolation.digitPairs`, read once here instead of through its lazy initializer's check on every use.
    private let pairs = Interpolation.digitPairs

    init(literal: [UInt8], texts: [(start: Int, end: Int)], operands: [Operand]) {
        precondition(operands.count <= 3 && texts.count == operands.count + 1)
        var texts = texts
        while texts.count < 4 { texts.append((0, 0)) }
        (t0, t1, t2, t3) = (texts[0], texts[1], texts[2], texts[3])
        let text = UnsafeMutablePointer<UInt8>.allocate(capacity: Swift.max(literal.count, 1))
        literal.withUnsafeBufferPointer {
            if let base = $0.baseAddress { text.initialize(from: base, count: literal.count) }
        }
        self.text = text
        textLength = literal.count
        count = operands.count
        let missing = Operand(int: 0)
        first = count > 0 ? operands[0] : missing
        second = count > 1 ? operands[1] : missing
        third = count > 2 ? operands[2] : missing
    }

    deinit { text.deallocate() }

    /// The pieces, evaluated left to right: Strings and Ints as they are, anything else as its `description`,
    /// `.nil` past `count`.
    @inline(__always)
    func pieces(_ frame: Frame) throws -> (Value, Value, Value) {
        let a = count > 0 ? Interpolation.piece(try first.value(frame)) : .nil
        let b = count > 1 ? Interpolation.piece(try second.value(frame)) : .nil
        let c = count > 2 ? Interpolation.piece(try third.value(frame)) : .nil
        return (a, b, c)
    }

    /// The length in UTF-8 bytes of the text the pieces make.
    @inline(__always)
    func length(_ a: Value, _ b: Value, _ c: Value) -> Int {
        textLength + Interpolation.length(a) + Interpolation.length(b) + Interpolation.length(c)
    }

    /// Writes the text into `out` (which has room for `length`); returns the number of bytes written.
    @inline(__always)
    func write(_ a: Value, _ b: Value, _ c: Value, to out: UnsafeMutablePointer<UInt8>) -> Int {
        var at = Interpolation.copy(text, t0, to: out, at: 0)
        if count > 0 { at = Interpolation.write(a, to: out, at: at, pairs: pairs) }
        at = Interpolation.copy(text, t1, to: out, at: at)
        if count > 1 { at = Interpolation.write(b, to: out, at: at, pairs: pairs) }
        at = Interpolation.copy(text, t2, to: out, at: at)
        if count > 2 { at = Interpolation.write(c, to: out, at: at, pairs: pairs) }
        return Interpolation.copy(text, t3, to: out, at: at)
    }

    /// The text as a String, written straight into its storage (a small String, no allocation, when it fits in
    /// 15 bytes).
    func string(_ a: Value, _ b: Value, _ c: Value) -> String {
        let total = length(a, b, c)
        if total == 0 { return "" }
        return String(unsafeUninitializedCapacity: total) { buffer in write(a, b, c, to: buffer.baseAddress!) }
    }

    /// The interpolation's value.
    @inline(__always)
    func evaluate(_ frame: Frame) throws -> Value {
        let (a, b, c) = try pieces(frame)
        let result = string(a, b, c)
        Value.discard(a)
        Value.discard(b)
        Value.discard(c)
        return .string(result)
    }

    /// Appends the text to `target` (`text += "…"`): no `Value` wraps the temporary String, so it is not
    /// retained and released on its way, and one that fits in 15 bytes is a small String (no allocation).
    /// (Appending the bytes in pieces of 15, each a small String, to avoid the temporary's allocation measured
    /// slower: each `String.append` costs ~250 instructions and a small String's making ~200.)
    @inline(__always)
    func appendText(_ a: Value, _ b: Value, _ c: Value, to target: inout String) {
        target.append(string(a, b, c))
    }
}
