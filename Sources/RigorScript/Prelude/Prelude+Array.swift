extension Prelude {
    /// The elements of an array-like receiver (Arrays, and Ranges which share the read-only members).
    static func elements(_ receiver: Value) -> [Value] {
        switch receiver {
        case .array(let a): return a
        case .range(let r): return r.indices.map(Value.int)
        case .string(let s): return s.map { .string(String($0)) }
        default: return []
        }
    }

    /// `elements(_:)` for a method: a range is made into an array only within the memory limit.
    static func elements(_ receiver: Value, _ context: CallContext) throws -> [Value] {
        if case .range(let r) = receiver {
            try context.registry.checkAllocation(
                count: r.count, stride: BuiltinRegistry.valueStride, operation: "the elements of \(receiver)")
        }
        return elements(receiver)
    }

    static func requireBool(_ value: Value, _ what: String) throws -> Bool {
        guard case .bool(let b) = value else {
            throw BuiltinError(
                .type, "the closure passed to '\(what)' must return a Bool, not '\(value.typeName)'", argument: 0)
        }
        return b
    }

    /// Sorts with Swift's sort, but compares through `Operators` (numbers and strings) and lets a
    /// comparator's script error pass through.
    static func sortValues(_ values: inout [Value], by comparator: Value?, context: CallContext) throws {
        if let comparator {
            let areInIncreasingOrder = context.prepare(comparator)
            try values.sort { try requireBool(areInIncreasingOrder($0, $1), "sorted(by:)") }
        } else {
            try values.sort { try ordered($0, $1, less: true) }
        }
    }

    static func indexOfExtreme(_ values: [Value], less: Bool) throws -> Int? {
        guard !values.isEmpty else { return nil }
        var best = 0
        for index in values.indices.dropFirst() where try ordered(values[index], values[best], less: less) {
            best = index
        }
        return best
    }

    /// The members Arrays and Ranges share (none of them mutate).
    static func registerSequenceMembers(on type: TypeDescriptor, name: String) {
        // Read without making the elements: a range of any size answers at once.
        func count(_ value: Value) -> Int {
            switch value {
            case .array(let a): return a.count
            case .range(let r): return r.count
            case .string(let s): return s.count
            default: return 0
            }
        }
        type.property("count", type: "Int", doc: "The number of elements.") { .int(count($0)) }
        type.property("isEmpty", type: "Bool", doc: "Whether there are no elements.") { .bool(count($0) == 0) }
        type.property("first", type: "Element?", doc: "The first element, or nil if empty.") {
            if case .range(let r) = $0 { return r.count > 0 ? .int(r.lower) : .nil }
            return elements($0).first ?? .nil
        }
        type.property("last", type: "Element?", doc: "The last element, or nil if empty.") {
            if case .range(let r) = $0 { return r.count > 0 ? .int(r.upperBoundExclusive - 1) : .nil }
            return elements($0).last ?? .nil
        }
        type.property("indices", type: "Range", doc: "The valid indices, 0..<count.") {
            .range(RangeValue(lower: 0, upper: count($0), isClosed: false))
        }
        type.method(
            "map", [.closure(nil, "transform", "(Element) -> T")], returns: "[T]",
            doc: "A new array with `transform` applied to each element.",
            example: "[1, 2, 3].map { $0 * 2 }   // [2, 4, 6]"
        ) { receiver, arguments, context in
            let transform = context.prepare(arguments[0])
            let items = try elements(receiver, context)
            var out: [Value] = []
            out.reserveCapacity(items.count)
            for item in items { out.append(try transform(item)) }
            return .array(out)
        }
        type.method(
            "compactMap", [.closure(nil, "transform", "(Element) -> T?")], returns: "[T]",
            doc: "Like `map`, dropping nil results.",
            example: "[\"1\", \"x\", \"3\"].compactMap { Int($0) }   // [1, 3]"
        ) { receiver, arguments, context in
            let transform = context.prepare(arguments[0])
            return .array(try elements(receiver, context).map { try transform($0) }.filter { !$0.isNil })
        }
        type.method(
            "flatMap", [.closure(nil, "transform", "(Element) -> [T]")], returns: "[T]",
            doc: "Maps each element to an array and concatenates the arrays.",
            example: "[1, 2].flatMap { [$0, $0] }   // [1, 1, 2, 2]"
        ) { receiver, arguments, context in
            var out: [Value] = []
            for item in try elements(receiver, context) {
                let part = try context.call(arguments[0], [item])
                guard case .array(let array) = part else {
                    throw BuiltinError(
                        .type, "flatMap's closure must return an array, not '\(part.typeName)'", argument: 0)
                }
                out.append(contentsOf: array)
            }
            return .array(out)
        }
        type.method(
            "filter", [.closure(nil, "isIncluded", "(Element) -> Bool")], returns: "[Element]",
            doc: "The elements for which `isIncluded` is true.",
            example: "[1, 2, 3, 4].filter { $0 % 2 == 0 }   // [2, 4]"
        ) { receiver, arguments, context in
            let isIncluded = context.prepare(arguments[0])
            return .array(try elements(receiver, context).filter { try requireBool(isIncluded($0), "filter") })
        }
        type.method(
            "reduce",
            [.positional("initialResult"), .closure(nil, "nextPartialResult", "(Result, Element) -> Result")],
            returns: "Result", doc: "Combines the elements, starting from `initialResult`.",
            example: "[1, 2, 3].reduce(0, +)   // 6"
        ) { receiver, arguments, context in
            var result = arguments[0]
            let nextPartialResult = context.prepare(arguments[1])
            for item in try elements(receiver, context) { result = try nextPartialResult(result, item) }
            return result
        }
        type.method(
            "forEach", [.closure(nil, "body", "(Element) -> Void")], doc: "Calls `body` on each element, in order.",
            example: "names.forEach { print($0) }"
        ) { receiver, arguments, context in
            let body = context.prepare(arguments[0])
            for item in try elements(receiver, context) { _ = try body(item) }
            return .nil
        }
        type.method(
            "contains", [.positional("element")], returns: "Bool", doc: "Whether the sequence contains `element`.",
            example: "[1, 2, 3].contains(2)   // true"
        ) { receiver, arguments, context in
            if case .range(let r) = receiver, case .int(let i) = arguments[0] { return .bool(r.indices.contains(i)) }
            return .bool(try elements(receiver, context).contains(arguments[0]))
        }
        type.method(
            "contains", [.closure("where", "predicate", "(Element) -> Bool")], returns: "Bool",
            doc: "Whether some element satisfies `predicate`.", example: "losses.contains { $0.isNaN }"
        ) { receiver, arguments, context in
            .bool(
                try elements(receiver, context).contains {
                    try requireBool(context.call(arguments[0], [$0]), "contains(where:)")
                })
        }
        type.method(
            "allSatisfy", [.closure(nil, "predicate", "(Element) -> Bool")], returns: "Bool",
            doc: "Whether every element satisfies `predicate`.", example: "[2, 4].allSatisfy { $0 % 2 == 0 }   // true"
        ) { receiver, arguments, context in
            .bool(
                try elements(receiver, context).allSatisfy {
                    try requireBool(context.call(arguments[0], [$0]), "allSatisfy")
                })
        }
        type.method(
            "sorted", returns: "[Element]", doc: "The elements in ascending order (numbers or strings).",
            example: "[3, 1, 2].sorted()   // [1, 2, 3]"
        ) { receiver, _, context in
            var values = try elements(receiver, context)
            try sortValues(&values, by: nil, context: context)
            return .array(values)
        }
        type.method(
            "sorted", [.closure("by", "areInIncreasingOrder", "(Element, Element) -> Bool")], returns: "[Element]",
            doc: "The elements ordered by a comparison closure.",
            example: "results.sorted { $0[\"accuracy\"] > $1[\"accuracy\"] }"
        ) { receiver, arguments, context in
            var values = try elements(receiver, context)
            try sortValues(&values, by: arguments[0], context: context)
            return .array(values)
        }
        type.method(
            "reversed", returns: "[Element]", doc: "The elements in reverse order.",
            example: "[1, 2, 3].reversed()   // [3, 2, 1]"
        ) {
            receiver, _, context in .array(try elements(receiver, context).reversed())
        }
        type.method(
            "enumerated", returns: "[[Any]]", doc: "Pairs `[offset, element]`, for `for (i, x) in xs.enumerated()`.",
            example: "for (i, name) in names.enumerated() {\n    print(i, name)\n}"
        ) { receiver, _, context in
            .array(try elements(receiver, context).enumerated().map { .array([.int($0.offset), $0.element]) })
        }
        type.method(
            "joined", [.init("separator", type: "String", default: .string(""))], returns: "String",
            doc: "The elements' descriptions joined into one string.",
            example: "[\"a\", \"b\"].joined(separator: \", \")   // \"a, b\""
        ) { receiver, arguments, context in
            .string(try elements(receiver, context).map(\.description).joined(separator: try arguments.string(0)))
        }
        type.method(
            "min", returns: "Element?", doc: "The smallest element, or nil if empty.", example: "[3, 1, 2].min()   // 1"
        ) {
            receiver, _, context in
            let values = try elements(receiver, context)
            return try indexOfExtreme(values, less: true).map { values[$0] } ?? .nil
        }
        type.method(
            "max", returns: "Element?", doc: "The largest element, or nil if empty.", example: "[3, 1, 2].max()   // 3"
        ) {
            receiver, _, context in
            let values = try elements(receiver, context)
            return try indexOfExtreme(values, less: false).map { values[$0] } ?? .nil
        }
        type.method(
            "argmin", returns: "Int?", doc: "The index of the smallest element (the first, on ties), or nil if empty.",
            example: "[0.5, 0.2, 0.3].argmin()   // 1"
        ) { receiver, _, context in
            try indexOfExtreme(try elements(receiver, context), less: true).map(Value.int) ?? .nil
        }
        type.method(
            "argmax", returns: "Int?", doc: "The index of the largest element (the first, on ties), or nil if empty.",
            example: "[0.5, 0.2, 0.3].argmax()   // 0"
        ) { receiver, _, context in
            try indexOfExtreme(try elements(receiver, context), less: false).map(Value.int) ?? .nil
        }
        type.method(
            "sum", returns: "Number", doc: "The sum of the elements (0 if empty). Not in Swift; common in notebooks.",
            example: "[1, 2, 3].sum()   // 6"
        ) { receiver, _, context in
            var total: Value = .int(0)
            let span = SourceSpan(
                source: SourceName("sum"), start: .init(line: 1, column: 1), end: .init(line: 1, column: 1))
            for item in try elements(receiver, context) {
                do { total = try Operators.add(total, item, at: span) } catch let error as ScriptError {
                    throw BuiltinError(error.kind, "sum(): \(error.message)")
                }
            }
            return total
        }
        type.method(
            "firstIndex", [.labeled("of")], returns: "Int?",
            doc: "The index of the first element equal to `of`, or nil.",
            example: "[\"a\", \"b\"].firstIndex(of: \"b\")   // 1"
        ) { receiver, arguments, context in
            try elements(receiver, context).firstIndex(of: arguments[0]).map(Value.int) ?? .nil
        }
        type.method(
            "firstIndex", [.closure("where", "predicate", "(Element) -> Bool")], returns: "Int?",
            doc: "The index of the first element satisfying `predicate`, or nil.",
            example: "losses.firstIndex { $0 < 0.1 }"
        ) { receiver, arguments, context in
            try elements(receiver, context).firstIndex {
                try requireBool(context.call(arguments[0], [$0]), "firstIndex(where:)")
            }
            .map(Value.int) ?? .nil
        }
        type.method(
            "lastIndex", [.labeled("of")], returns: "Int?", doc: "The index of the last element equal to `of`, or nil.",
            example: "[1, 2, 1].lastIndex(of: 1)   // 2"
        ) { receiver, arguments, context in
            try elements(receiver, context).lastIndex(of: arguments[0]).map(Value.int) ?? .nil
        }
        type.method(
            "first", [.closure("where", "predicate", "(Element) -> Bool")], returns: "Element?",
            doc: "The first element satisfying `predicate`, or nil.", example: "[1, 5, 9].first { $0 > 3 }   // 5"
        ) { receiver, arguments, context in
            try elements(receiver, context).first { try requireBool(context.call(arguments[0], [$0]), "first(where:)") }
                ?? .nil
        }
        type.method(
            "prefix", [.positional("maxLength", "Int")], returns: "[Element]", doc: "The first `maxLength` elements.",
            example: "[1, 2, 3].prefix(2)   // [1, 2]"
        ) { receiver, arguments, context in
            let n = try arguments.int(0)
            guard n >= 0 else { throw BuiltinError(.value, "prefix length must not be negative", argument: 0) }
            return .array(Array(try elements(receiver, context).prefix(n)))
        }
        type.method(
            "suffix", [.positional("maxLength", "Int")], returns: "[Element]", doc: "The last `maxLength` elements.",
            example: "[1, 2, 3].suffix(2)   // [2, 3]"
        ) { receiver, arguments, context in
            let n = try arguments.int(0)
            guard n >= 0 else { throw BuiltinError(.value, "suffix length must not be negative", argument: 0) }
            return .array(Array(try elements(receiver, context).suffix(n)))
        }
        type.method(
            "dropFirst", [.init(nil, "k", type: "Int", default: .int(1))], returns: "[Element]",
            doc: "All but the first `k` elements.", example: "[1, 2, 3].dropFirst()   // [2, 3]"
        ) { receiver, arguments, context in
            .array(Array(try elements(receiver, context).dropFirst(max(0, try arguments.int(0)))))
        }
        type.method(
            "dropLast", [.init(nil, "k", type: "Int", default: .int(1))], returns: "[Element]",
            doc: "All but the last `k` elements.", example: "[1, 2, 3].dropLast()   // [1, 2]"
        ) { receiver, arguments, context in
            .array(Array(try elements(receiver, context).dropLast(max(0, try arguments.int(0)))))
        }
        type.method(
            "shuffled", [.labeled("seed", "Int")], returns: "[Element]",
            doc: "The elements in a random order determined by `seed` (the same seed gives the same order).",
            example: "Array(0..<5).shuffled(seed: 42)"
        ) { receiver, arguments, context in
            var generator = SplitMix64(seed: UInt64(bitPattern: Int64(try arguments.int(0))))
            var values = try elements(receiver, context)
            // Fisher–Yates written out, so the order never depends on the standard library's version.
            for i in Swift.stride(from: values.count - 1, to: 0, by: -1) {
                values.swapAt(i, Int(generator.next() % UInt64(i + 1)))
            }
            return .array(values)
        }
    }

    /// Runs `body` on the array a mutating method's receiver holds. The array is moved out first, so
    /// copy-on-write does not copy it, and put back afterwards, also when `body` throws.
    static func mutateArray(_ receiver: inout Value, _ body: (inout [Value]) throws -> Value) rethrows -> Value {
        try receiver.modifyArray(body) ?? .nil
    }

    static func registerArray(in registry: BuiltinRegistry) {
        registry.beginFamily("Arrays")
        let array = registry.arrayType!
        registerSequenceMembers(on: array, name: "Array")
        array.method(
            "append", [.positional("newElement")], mutating: true, doc: "Adds an element at the end.",
            example: "var losses = []\nlosses.append(0.5)"
        ) { receiver, arguments, context in
            mutateArray(&receiver) { a in
                a.append(arguments[0])
                return .nil
            }
        }
        array.method(
            "append", [.labeled("contentsOf", "Sequence")], mutating: true,
            doc: "Adds the elements of a sequence at the end.", example: "xs.append(contentsOf: [4, 5])"
        ) { receiver, arguments, context in
            let more = try Members.elements(of: arguments[0], context: context)
            return mutateArray(&receiver) { a in
                a.append(contentsOf: more)
                return .nil
            }
        }
        array.method(
            "insert", [.positional("newElement"), .labeled("at", "Int")], mutating: true,
            doc: "Inserts an element at an index (0…count).", example: "xs.insert(0, at: 0)"
        ) { receiver, arguments, context in
            let index = try arguments.int(1)
            return try mutateArray(&receiver) { a in
                guard index >= 0 && index <= a.count else {
                    throw BuiltinError(
                        .index, "insertion index \(index) is out of range for an array of \(a.count) elements",
                        argument: 1, notes: ["valid insertion indices are 0...\(a.count)"])
                }
                a.insert(arguments[0], at: index)
                return .nil
            }
        }
        array.method(
            "remove", [.labeled("at", "Int")], returns: "Element", mutating: true,
            doc: "Removes and returns the element at an index.", example: "let first = xs.remove(at: 0)"
        ) { receiver, arguments, context in
            let index = try arguments.int(0)
            return try mutateArray(&receiver) { a in
                guard index >= 0 && index < a.count else {
                    var error = Members.outOfRange(index, count: a.count)
                    error.argument = 0
                    throw error
                }
                return a.remove(at: index)
            }
        }
        array.method(
            "removeLast", returns: "Element", mutating: true,
            doc: "Removes and returns the last element (an error if empty).",
            example: "let last = stack.removeLast()"
        ) { receiver, _, context in
            try mutateArray(&receiver) { a in
                guard !a.isEmpty else {
                    throw BuiltinError(
                        .index, "cannot removeLast() from an empty array", notes: ["popLast() returns nil instead"])
                }
                return a.removeLast()
            }
        }
        array.method(
            "removeFirst", returns: "Element", mutating: true,
            doc: "Removes and returns the first element (an error if empty).",
            example: "let next = queue.removeFirst()"
        ) { receiver, _, context in
            try mutateArray(&receiver) { a in
                guard !a.isEmpty else { throw BuiltinError(.index, "cannot removeFirst() from an empty array") }
                return a.removeFirst()
            }
        }
        array.method(
            "popLast", returns: "Element?", mutating: true,
            doc: "Removes and returns the last element, or nil if empty.",
            example: "while let item = stack.popLast() { … }"
        ) { receiver, _, context in
            mutateArray(&receiver) { a in a.popLast() ?? .nil }
        }
        array.method("removeAll", mutating: true, doc: "Removes every element.", example: "xs.removeAll()") {
            receiver, _, context in
            mutateArray(&receiver) { a in
                a.removeAll()
                return .nil
            }
        }
        array.method("sort", mutating: true, doc: "Sorts the array in place, ascending.", example: "xs.sort()") {
            receiver, _, context in
            try mutateArray(&receiver) { a in
                try sortValues(&a, by: nil, context: context)
                return .nil
            }
        }
        array.method(
            "sort", [.closure("by", "areInIncreasingOrder", "(Element, Element) -> Bool")], mutating: true,
            doc: "Sorts the array in place by a comparison closure.", example: "xs.sort { $0 > $1 }"
        ) { receiver, arguments, context in
            try mutateArray(&receiver) { a in
                try sortValues(&a, by: arguments[0], context: context)
                return .nil
            }
        }
        array.method("reverse", mutating: true, doc: "Reverses the array in place.", example: "xs.reverse()") {
            receiver, _, context in
            mutateArray(&receiver) { a in
                a.reverse()
                return .nil
            }
        }
    }

    static func registerRange(in registry: BuiltinRegistry) {
        registry.beginFamily("Ranges")
        let range = registry.rangeType!
        registerSequenceMembers(on: range, name: "Range")
        range.property("lowerBound", type: "Int", doc: "The first value.") {
            guard case .range(let r) = $0 else { return .nil }
            return .int(r.lower)
        }
        range.property("upperBound", type: "Int", doc: "The end as written (excluded for `..<`, included for `...`).") {
            guard case .range(let r) = $0 else { return .nil }
            return .int(r.upper)
        }
    }
}

/// SplitMix64 (Steele, Lea and Flood 2014): a small, fast generator whose stream is fully
/// specified, so `shuffled(seed:)` gives the same order on every machine and Swift version.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
