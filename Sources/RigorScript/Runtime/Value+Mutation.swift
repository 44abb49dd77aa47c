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
    @inline(__always)
    mutating func modifyDictionary<Result>(
        _ body: (inout OrderedDictionary<Value, Value>) throws -> Result
    ) rethrows -> Result? {
        guard case .dictionary = self else { return nil }
        if let result = try modifyDictionaryInBox(body) { return result }
        guard case .dictionary(var dictionary) = consume self else { preconditionFailure("checked above") }
        defer { self = .dictionary(dictionary) }
        return try body(&dictionary)
    }

    /// Runs `body` on the dictionary where it is stored, inside the heap box of the `indirect` case, when
    /// this value is the box's only holder; nil otherwise (not a dictionary, or a shared box), and `body`
    /// is not run.
    ///
    /// Taking the payload out of an indirect case and putting it back allocates a new box and frees the
    /// old one on every write (~350 instructions, a sixth of `d[k] = v`). Swift's enum layout stores an
    /// indirect payload as a reference to a box (a heap object) holding the payload after the object
    /// header; `dictionaryBoxOffset` checks that once, by comparing a known dictionary's bytes with the
    /// box's, and is nil (so this path is never taken) if the layout is not that.
    @inline(__always)
    mutating func modifyDictionaryInBox<Result>(
        _ body: (inout OrderedDictionary<Value, Value>) throws -> Result
    ) rethrows -> Result? {
        guard case .dictionary = self, let offset = Value.dictionaryBoxOffset else { return nil }
        return try withUnsafeMutablePointer(to: &self) { pointer -> Result? in
            let raw = UnsafeMutableRawPointer(pointer)
            let isUnique = raw.withMemoryRebound(to: AnyObject.self, capacity: 1) {
                isKnownUniquelyReferenced(&$0.pointee)
            }
            guard isUnique else { return nil }
            let box = raw.load(as: UnsafeMutableRawPointer.self)
            return try body(&(box + offset).assumingMemoryBound(to: OrderedDictionary<Value, Value>.self).pointee)
        }
    }

    /// Where the payload of the `dictionary` case sits in its box (the object header, rounded up to the
    /// payload's alignment), or nil when a probe says the layout is not the one `modifyDictionaryInBox`
    /// relies on.
    static let dictionaryBoxOffset: Int? = {
        let alignment = MemoryLayout<OrderedDictionary<Value, Value>>.alignment
        // A Swift heap object starts with its metadata pointer and its reference counts.
        let header = 2 * MemoryLayout<UnsafeRawPointer>.size
        let offset = (header + alignment - 1) / alignment * alignment
        guard MemoryLayout<Value>.size >= MemoryLayout<UnsafeRawPointer>.size else { return nil }
        var dictionary = OrderedDictionary<Value, Value>()
        dictionary[.string("probe")] = .int(1)
        let value = Value.dictionary(dictionary)
        let matches = withUnsafeBytes(of: value) { valueBytes in
            guard let box = valueBytes.load(as: UnsafeRawPointer?.self) else { return false }
            return withUnsafeBytes(of: dictionary) { expected in
                expected.elementsEqual(UnsafeRawBufferPointer(start: box + offset, count: expected.count))
            }
        }
        return withExtendedLifetime((value, dictionary)) { matches ? offset : nil }
    }()

    /// Runs `body` on the string this value holds; nil when it holds no string.
    @inline(__always)
    mutating func modifyString<Result>(_ body: (inout String) throws -> Result) rethrows -> Result? {
        guard case .string = self else { return nil }
        guard case .string(var string) = consume self else { preconditionFailure("checked above") }
        defer { self = .string(string) }
        return try body(&string)
    }
}
