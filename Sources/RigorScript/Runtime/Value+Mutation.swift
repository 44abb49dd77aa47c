import OrderedCollections

/// In-place mutation of the collections a `Value` holds, without copy-on-write copies.
///
/// Matching `case .array(var array)` on a value that stays alive (a `switch` subject, an `inout`
/// parameter read in a pattern) leaves two references to the buffer, so the first write copies the
/// whole collection: an element write in a loop becomes quadratic. These helpers `consume` the
/// value, so the payload is the only reference while `body` runs, and put it back afterwards (also
/// when `body` throws). A copy then happens only when the storage really is shared, as in Swift.
extension Value {
    /// Runs `body` on the array this value holds; nil (and `body` not run) when it holds no array.
    @inline(__always)
    mutating func modifyArray<Result>(_ body: (inout [Value]) throws -> Result) rethrows -> Result? {
        guard case .array = self else { return nil }
        guard case .array(var array) = consume self else { preconditionFailure("checked above") }
        defer { self = .array(array) }
        return try body(&array)
    }

    /// Runs `body` on the dictionary this value holds; nil when it holds no dictionary.
    ///
    /// The entries are written inside their box when this value holds the only reference to it; a box another
    /// value shares is copied first (that value keeps the old entries). Either way the box stays in place: no
    /// allocation per write, unlike the `indirect` case this replaced, which re-boxed the dictionary every time.
    @inline(__always)
    mutating func modifyDictionary<Result>(
        _ body: (inout OrderedDictionary<Value, Value>) throws -> Result
    ) rethrows -> Result? {
        guard case .dictionaryBox = self else { return nil }
        guard case .dictionaryBox(var box) = consume self else { preconditionFailure("checked above") }
        if !isKnownUniquelyReferenced(&box) { box = DictionaryBox(box.entries) }
        defer { self = .dictionaryBox(box) }
        return try body(&box.entries)
    }

    /// Runs `body` on the string this value holds; nil when it holds no string.
    @inline(__always)
    mutating func modifyString<Result>(_ body: (inout String) throws -> Result) rethrows -> Result? {
        guard case .string = self else { return nil }
        guard case .string(var string) = consume self else { preconditionFailure("checked above") }
        defer { self = .string(string) }
        return try body(&string)
    }
}

extension Value {
    /// A copy of `elements` in storage of its own (not shared with `elements`), so writing into it never copies it
    /// again. Elements that hold no reference (nil, Bool, Int, Double: what a grid of numbers holds) are copied as
    /// bytes, without the per-element copy a `map` makes (~27 instructions an element in `[[Int]](repeating:…)`).
    static func ownStorage(copying elements: [Value]) -> [Value] {
        elements.withUnsafeBufferPointer { source in
            guard let base = source.baseAddress, !source.isEmpty else { return [] }
            var holdsReferences = false
            for element in source {
                switch element {
                case .nil, .bool, .int, .double: continue
                default: holdsReferences = true
                }
                if holdsReferences { break }
            }
            return [Value](unsafeUninitializedCapacity: source.count) { buffer, count in
                let out = buffer.baseAddress!
                if holdsReferences {
                    out.initialize(from: base, count: source.count)
                } else {
                    UnsafeMutableRawPointer(out).copyMemory(
                        from: UnsafeRawPointer(base), byteCount: source.count * MemoryLayout<Value>.stride)
                }
                count = source.count
            }
        }
    }
}
