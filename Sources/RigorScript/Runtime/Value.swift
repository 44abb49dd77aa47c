import Foundation
import OrderedCollections

/// Value: every Rigor value. `Int` and `Double` are stored inline; arrays, dictionaries and
/// strings are Swift's own copy-on-write collections, so they have value semantics for free.
public enum Value: @unchecked Sendable {
    case `nil`
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([Value])
    /// Insertion-ordered, so notebooks print deterministically. The entries live in a box of our own
    /// (`DictionaryBox`), so a write changes them in place when the value holds the only reference to the box
    /// (`modifyDictionary`) and copies them when it is shared, as arrays do. `Value.dictionary(_:)` makes one,
    /// `dictionaryEntries` reads one.
    case dictionaryBox(DictionaryBox)
    indirect case range(RangeValue)
    case function(Callable)
    /// A builtin object (tensor, model, plot): a reference, like a Swift class instance.
    case object(NativeObject)
    /// An implicit member such as `.relu` or `.adam(learningRate: 1e-3)`.
    indirect case implicitMember(ImplicitMember)
    /// A type used as a value: `Double` in `Double.pi`, `Int` in `Int("3")`.
    case type(TypeDescriptor)
}

/// The storage of a dictionary value. Never written while another `Value` holds it: `modifyDictionary` copies
/// the box first unless the value being written holds the only reference, so a copy made before a write keeps
/// the old entries.
public final class DictionaryBox: @unchecked Sendable {
    public var entries: OrderedDictionary<Value, Value>

    public init(_ entries: OrderedDictionary<Value, Value>) {
        self.entries = entries
    }
}

extension Value {
    /// A dictionary value holding `entries`.
    @inline(__always)
    public static func dictionary(_ entries: OrderedDictionary<Value, Value>) -> Value {
        .dictionaryBox(DictionaryBox(entries))
    }

    /// The entries of the dictionary this value holds; nil for any other value.
    @inline(__always)
    public var dictionaryEntries: OrderedDictionary<Value, Value>? {
        if case .dictionaryBox(let box) = self { return box.entries }
        return nil
    }
}

/// `lower..<upper` or `lower...upper` over Ints.
public struct RangeValue: Hashable, Sendable {
    public var lower: Int
    public var upper: Int
    public var isClosed: Bool

    public init(lower: Int, upper: Int, isClosed: Bool) {
        self.lower = lower
        self.upper = upper
        self.isClosed = isClosed
    }

    /// The end as a half-open bound (saturating, so `x...Int.max` does not overflow).
    public var upperBoundExclusive: Int { isClosed ? (upper == .max ? .max : upper + 1) : upper }
    public var count: Int { Swift.max(0, upperBoundExclusive - lower) }
    public var indices: Range<Int> { lower..<Swift.max(lower, upperBoundExclusive) }
}

/// `.name` or `.name(label: value, …)`: the dot-shorthand option values builtins accept.
public struct ImplicitMember: Hashable, @unchecked Sendable {
    public var name: String
    public var arguments: [(label: String?, value: Value)]?

    public init(name: String, arguments: [(label: String?, value: Value)]? = nil) {
        self.name = name
        self.arguments = arguments
    }

    /// The argument with this label, if given.
    public func argument(_ label: String?) -> Value? {
        arguments?.first { $0.label == label }?.value
    }

    public static func == (lhs: ImplicitMember, rhs: ImplicitMember) -> Bool {
        guard lhs.name == rhs.name, lhs.arguments?.count == rhs.arguments?.count else { return false }
        for (a, b) in zip(lhs.arguments ?? [], rhs.arguments ?? []) where a.label != b.label || a.value != b.value {
            return false
        }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(arguments?.count ?? -1)
    }
}

/// A builtin object: libraries wrap engine types (tensors, models, plots) in one of these.
///
/// Objects are references: `let b = a` shares the object, as with a Swift class.
public protocol NativeObject: AnyObject {
    /// The type name users see (`Tensor`); it selects the members registered for the type.
    var typeName: String { get }
    /// The text `print` shows.
    var description: String { get }
    /// `lhs op rhs` where this object is one of the operands (`+ - * / % < <= > >=`), or nil if
    /// the object does not support it (the language then reports a type error). Throw a
    /// `BuiltinError` for a failure (a shape mismatch): it is shown at the operator.
    func applyBinaryOperator(_ op: String, lhs: Value, rhs: Value) throws -> Value?
    /// `-object`, or nil if unsupported.
    func applyNegation() throws -> Value?
}

extension NativeObject {
    public func applyBinaryOperator(_ op: String, lhs: Value, rhs: Value) throws -> Value? { nil }
    public func applyNegation() throws -> Value? { nil }
}

extension Value {
    /// The type name users see in messages: `Int`, `[Double]`-style names are not tracked, so an
    /// array is `Array`.
    public var typeName: String {
        switch self {
        case .nil: return "nil"
        case .bool: return "Bool"
        case .int: return "Int"
        case .double: return "Double"
        case .string: return "String"
        case .array: return "Array"
        case .dictionaryBox: return "Dictionary"
        case .range: return "Range"
        case .function: return "Function"
        case .object(let object): return object.typeName
        case .implicitMember: return "ImplicitMember"
        case .type(let descriptor): return "\(descriptor.name).Type"
        }
    }

    public var isNil: Bool {
        if case .nil = self { return true }
        return false
    }

    /// The number as a Double, promoting Ints (nil for non-numbers).
    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    public var intValue: Int? {
        if case .int(let i) = self { return i }
        return nil
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var arrayValue: [Value]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// Whether this is a function value holding exactly `callable` (compared in place, without
    /// copying the value).
    @inline(__always)
    func isFunction(identicalTo callable: Callable?) -> Bool {
        if case .function(let function) = self { return function === callable }
        return false
    }

    /// Whether this is a function value holding the object `reference` refers to (no retain).
    @inline(__always)
    func isFunction(identicalTo reference: Unmanaged<ScriptFunction>) -> Bool {
        if case .function(let function) = self {
            return Unmanaged.passUnretained(function).toOpaque() == reference.toOpaque()
        }
        return false
    }

    /// Element `i` of the array this value holds, read in place; nil if it holds no array or `i` is out
    /// of range.
    @inline(__always)
    func arrayElement(_ i: Int) -> Value? {
        if case .array(let array) = self, i >= 0, i < array.count { return array[i] }
        return nil
    }

    public var objectValue: NativeObject? {
        if case .object(let o) = self { return o }
        return nil
    }
}

// MARK: - Equality and hashing

extension Value: Hashable {
    /// `1 == 1.0` is true (numbers compare by value); functions and objects compare by identity.
    public static func == (lhs: Value, rhs: Value) -> Bool {
        // Dictionary keys first (a lookup compares the key with each candidate), without building a tuple.
        if case .string(let a) = lhs, case .string(let b) = rhs { return a == b }
        if case .int(let a) = lhs, case .int(let b) = rhs { return a == b }
        return equalOtherwise(lhs, rhs)
    }

    private static func equalOtherwise(_ lhs: Value, _ rhs: Value) -> Bool {
        switch (lhs, rhs) {
        case (.nil, .nil): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.double(let a), .double(let b)): return a == b
        case (.int(let a), .double(let b)): return Double(a) == b
        case (.double(let a), .int(let b)): return a == Double(b)
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.dictionaryBox(let a), .dictionaryBox(let b)): return a === b || a.entries == b.entries
        case (.range(let a), .range(let b)): return a == b
        case (.function(let a), .function(let b)): return a === b
        case (.object(let a), .object(let b)): return a === b
        case (.implicitMember(let a), .implicitMember(let b)): return a == b
        case (.type(let a), .type(let b)): return a === b
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .nil: hasher.combine(0)
        case .bool(let b): hasher.combine(b)
        case .int(let i): hasher.combine(Double(i))
        case .double(let d): hasher.combine(d)
        case .string(let s): hasher.combine(s)
        case .array(let a): hasher.combine(a)
        case .dictionaryBox(let d): hasher.combine(d.entries.count)
        case .range(let r): hasher.combine(r)
        case .function(let f): hasher.combine(ObjectIdentifier(f))
        case .object(let o): hasher.combine(ObjectIdentifier(o))
        case .implicitMember(let m): hasher.combine(m)
        case .type(let t): hasher.combine(ObjectIdentifier(t))
        }
    }
}

// MARK: - Hashing for collections

extension Value {
    /// The hash Swift's hashed collections use (dictionary keys are `OrderedDictionary` keys): numbers and
    /// ASCII strings, the keys notebooks use, are hashed here in a few instructions instead of through
    /// `Hasher` (SipHash: ~350 instructions for a short string, seeding and finalization included).
    /// Consistent with `==`: an Int hashes as the Double it equals, `-0.0` as `0.0`, and a non-ASCII
    /// string as its canonical composition (NFC), which is what Swift's `String ==` compares; other
    /// values go through `hash(into:)`.
    public func _rawHashValue(seed: Int) -> Int {
        switch self {
        case .int(let i): return Value.numberHash(Double(i), seed: seed)
        case .double(let d): return Value.numberHash(d, seed: seed)
        case .string(let s): return Value.stringHash(s, seed: seed)
        default:
            var hasher = Hasher()
            hasher.combine(seed)
            hash(into: &hasher)
            return hasher.finalize()
        }
    }

    @inline(__always)
    private static func numberHash(_ d: Double, seed: Int) -> Int {
        let bits = d == 0 ? 0 : d.bitPattern
        return Int(bitPattern: UInt(finalMix(bits ^ UInt64(UInt(bitPattern: seed)))))
    }

    private static func stringHash(_ string: String, seed: Int) -> Int {
        if let ascii = string.utf8.withContiguousStorageIfAvailable({ hashBytes($0, seed: seed, onlyASCII: true) }),
            let hash = ascii
        {
            return hash
        }
        var composed = string.precomposedStringWithCanonicalMapping
        return composed.withUTF8 { hashBytes($0, seed: seed, onlyASCII: false) } ?? 0
    }

    /// The bytes hashed a word at a time; nil when `onlyASCII` and a byte is not ASCII.
    @inline(__always)
    private static func hashBytes(_ bytes: UnsafeBufferPointer<UInt8>, seed: Int, onlyASCII: Bool) -> Int? {
        let multiplier: UInt64 = 0x9E37_79B9_7F4A_7C15
        let high: UInt64 = 0x8080_8080_8080_8080
        let n = bytes.count
        var h = UInt64(UInt(bitPattern: seed)) ^ (UInt64(n) &* multiplier)
        guard n > 0, let base = bytes.baseAddress else { return Int(bitPattern: UInt(finalMix(h))) }
        var i = 0
        while i + 8 <= n {
            let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
            if onlyASCII && word & high != 0 { return nil }
            h = (h ^ word) &* multiplier
            h = (h << 31) | (h >> 33)
            i += 8
        }
        if i < n {
            // The last 1–7 bytes as a little-endian word, what copying them into a zeroed word gives, without a
            // call to memmove (a short key is mostly tail): 4–7 bytes as two overlapping 32-bit loads (the
            // overlap ORs equal bytes into equal places), fewer byte by byte.
            let tail = n &- i
            let raw = UnsafeRawPointer(base + i)
            var word: UInt64
            if tail >= 4 {
                let low = UInt64(raw.loadUnaligned(as: UInt32.self).littleEndian)
                let high = UInt64(raw.loadUnaligned(fromByteOffset: tail &- 4, as: UInt32.self).littleEndian)
                word = low | high << (UInt64(tail &- 4) &* 8)
            } else {
                word = UInt64(base[i])
                if tail > 1 { word |= UInt64(base[i &+ 1]) << 8 }
                if tail > 2 { word |= UInt64(base[i &+ 2]) << 16 }
            }
            if onlyASCII && word & high != 0 { return nil }
            h = (h ^ word) &* multiplier
        }
        return Int(bitPattern: UInt(finalMix(h)))
    }

    /// MurmurHash3's 64-bit finalizer: every input bit affects the low bits the hash table uses.
    @inline(__always)
    private static func finalMix(_ x: UInt64) -> UInt64 {
        var k = x
        k ^= k >> 33
        k &*= 0xff51_afd7_ed55_8ccd
        k ^= k >> 33
        k &*= 0xc4ce_b9fe_1a85_ec53
        k ^= k >> 33
        return k
    }
}

// MARK: - Printing

extension Value: CustomStringConvertible, CustomDebugStringConvertible {
    /// What `print` shows: strings bare, numbers as Swift prints them (`3.0`, `1e-05`).
    public var description: String {
        switch self {
        case .string(let s): return s
        default: return debugDescription
        }
    }

    /// What a cell result and a collection element show: strings quoted, as in Swift.
    public var debugDescription: String {
        switch self {
        case .nil: return "nil"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return Value.format(d)
        case .string(let s): return Value.quote(s)
        case .array(let a): return "[" + a.map(\.debugDescription).joined(separator: ", ") + "]"
        case .dictionaryBox(let box):
            let d = box.entries
            if d.isEmpty { return "[:]" }
            return "[" + d.map { "\($0.key.debugDescription): \($0.value.debugDescription)" }.joined(separator: ", ")
                + "]"
        case .range(let r): return "\(r.lower)\(r.isClosed ? "..." : "..<")\(r.upper)"
        case .function(let f): return f.description
        case .object(let o): return o.description
        case .implicitMember(let m):
            guard let arguments = m.arguments else { return ".\(m.name)" }
            let list = arguments.map { ($0.label.map { "\($0): " } ?? "") + $0.value.debugDescription }
            return ".\(m.name)(\(list.joined(separator: ", ")))"
        case .type(let t): return t.name
        }
    }

    /// Swift's `Double.description`: `3.0`, `0.1`, `1e-05`, `1e+16`, `inf`, `nan`.
    static func format(_ d: Double) -> String {
        d.description
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "\0": out += "\\0"
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }
}

extension Value {
    /// A dictionary with string keys, in the order given (a repeated key keeps its first place, the last value).
    public static func dictionary(keysAndValues pairs: [(String, Value)]) -> Value {
        var entries = OrderedDictionary<Value, Value>()
        for (key, value) in pairs { entries[.string(key)] = value }
        return .dictionary(entries)
    }
}
