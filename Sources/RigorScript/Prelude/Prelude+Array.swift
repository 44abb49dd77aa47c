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

    /// A predicate closure's result as a Bool; anything else is an error at the closure's argument.
    static func requireBool(_ value: Value, _ what: String, parameter: String) throws -> Bool {
        guard case .bool(let b) = value else {
            throw BuiltinError(
                .type, "the closure passed to '\(what)' must return a Bool, not '\(value.typeName)'",
                parameter: parameter)
        }
        return b
    }

    /// Sorts with Swift's sort, but compares through `Operators` (numbers and strings) and lets a
    /// comparator's script error pass through.
    static func sortValues(_ values: inout [Value], by comparator: Value?, context: CallContext) throws {
        if let comparator {
            let areInIncreasingOrder = context.prepare(comparator)
            try values.sort {
                try requireBool(areInIncreasingOrder($0, $1), "sorted(by:)", parameter: "areInIncreasingOrder")
            }
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

    /// A predicate parameter: `(Element) -> Bool`.
    static func predicate(_ label: String?, _ name: String = "predicate") -> Arg<FunctionValue> {
        Arg(label, name, type: "(Element) -> Bool")
    }

    /// The members Arrays and Ranges share (none of them mutate).
    static func registerSequenceMembers(on type: TypeBuilder<Value>, name: String) {
        // Read without making the elements: a range of any size answers at once.
        func count(_ value: Value) -> Int {
            switch value {
            case .array(let a): return a.count
            case .range(let r): return r.count
            case .string(let s): return s.count
            default: return 0
            }
        }
        type.property("count", doc: "The number of elements.") { count($0) }
        type.property("isEmpty", doc: "Whether there are no elements.") { count($0) == 0 }
        type.property("first", type: "Element?", doc: "The first element, or nil if empty.") { value -> Value in
            if case .range(let r) = value { return r.count > 0 ? .int(r.lower) : .nil }
            return elements(value).first ?? .nil
        }
        type.property("last", type: "Element?", doc: "The last element, or nil if empty.") { value -> Value in
            if case .range(let r) = value { return r.count > 0 ? .int(r.upperBoundExclusive - 1) : .nil }
            return elements(value).last ?? .nil
        }
        type.property("indices", doc: "The valid indices, 0..<count.") {
            RangeValue(lower: 0, upper: count($0), isClosed: false)
        }
        type.method(
            "map", Arg<FunctionValue>(nil, "transform", type: "(Element) -> T"), returns: "[T]",
            doc: "A new array with `transform` applied to each element.",
            example: "[1, 2, 3].map { $0 * 2 }   // [2, 4, 6]"
        ) { receiver, context, transform in
            let call = context.prepare(transform.value)
            let items = try elements(receiver, context)
            var out: [Value] = []
            out.reserveCapacity(items.count)
            try call.forEachResult(items) { _, result in out.append(result) }
            return out
        }
        type.method(
            "compactMap", Arg<FunctionValue>(nil, "transform", type: "(Element) -> T?"), returns: "[T]",
            doc: "Like `map`, dropping nil results.",
            example: "[\"1\", \"x\", \"3\"].compactMap { Int($0) }   // [1, 3]"
        ) { receiver, context, transform in
            let call = context.prepare(transform.value)
            return try elements(receiver, context).map { try call($0) }.filter { !$0.isNil }
        }
        type.method(
            "flatMap", Arg<FunctionValue>(nil, "transform", type: "(Element) -> [T]"), returns: "[T]",
            doc: "Maps each element to an array and concatenates the arrays.",
            example: "[1, 2].flatMap { [$0, $0] }   // [1, 1, 2, 2]"
        ) { receiver, context, transform in
            let call = context.prepare(transform.value)
            var out: [Value] = []
            for item in try elements(receiver, context) {
                let part = try call(item)
                guard case .array(let array) = part else {
                    throw BuiltinError(
                        .type, "flatMap's closure must return an array, not '\(part.typeName)'",
                        parameter: "transform")
                }
                out.append(contentsOf: array)
            }
            return out
        }
        type.method(
            "filter", predicate(nil, "isIncluded"), returns: "[Element]",
            doc: "The elements for which `isIncluded` is true.",
            example: "[1, 2, 3, 4].filter { $0 % 2 == 0 }   // [2, 4]"
        ) { receiver, context, isIncluded in
            let call = context.prepare(isIncluded.value)
            var out: [Value] = []
            try call.forEachResult(elements(receiver, context)) { item, result in
                if try requireBool(result, "filter", parameter: "isIncluded") { out.append(item.copied) }
            }
            return out
        }
        type.method(
            "reduce", Arg<Value>(nil, "initialResult"),
            Arg<FunctionValue>(nil, "nextPartialResult", type: "(Result, Element) -> Result"), returns: "Result",
            doc: "Combines the elements, starting from `initialResult`.", example: "[1, 2, 3].reduce(0, +)   // 6"
        ) { receiver, context, initialResult, nextPartialResult in
            var result = initialResult
            let call = context.prepare(nextPartialResult.value)
            try call.reduce(elements(receiver, context), into: &result)
            return result
        }
        type.method(
            "forEach", Arg<FunctionValue>(nil, "body", type: "(Element) -> Void"),
            doc: "Calls `body` on each element, in order.", example: "names.forEach { print($0) }"
        ) { receiver, context, body in
            let call = context.prepare(body.value)
            try call.forEachResult(elements(receiver, context)) { _, _ in }
        }
        type.method(
            "contains", Arg<Value>(nil, "element"), doc: "Whether the sequence contains `element`.",
            example: "[1, 2, 3].contains(2)   // true"
        ) { receiver, context, element in
            if case .range(let r) = receiver, case .int(let i) = element { return r.indices.contains(i) }
            return try elements(receiver, context).contains(element)
        }
        type.method(
            "contains", predicate("where"), doc: "Whether some element satisfies `predicate`.",
            example: "losses.contains { $0.isNaN }"
        ) { receiver, context, predicate in
            let call = context.prepare(predicate.value)
            return try elements(receiver, context).contains {
                try requireBool(call($0), "contains(where:)", parameter: "predicate")
            }
        }
        type.method(
            "allSatisfy", predicate(nil), doc: "Whether every element satisfies `predicate`.",
            example: "[2, 4].allSatisfy { $0 % 2 == 0 }   // true"
        ) { receiver, context, predicate in
            let call = context.prepare(predicate.value)
            return try elements(receiver, context).allSatisfy {
                try requireBool(call($0), "allSatisfy", parameter: "predicate")
            }
        }
        type.method(
            "sorted", returns: "[Element]", doc: "The elements in ascending order (numbers or strings).",
            example: "[3, 1, 2].sorted()   // [1, 2, 3]"
        ) { receiver, context in
            var values = try elements(receiver, context)
            try sortValues(&values, by: nil, context: context)
            return values
        }
        type.method(
            "sorted", Arg<FunctionValue>("by", "areInIncreasingOrder", type: "(Element, Element) -> Bool"),
            returns: "[Element]", doc: "The elements ordered by a comparison closure.",
            example: "results.sorted { $0[\"accuracy\"] > $1[\"accuracy\"] }"
        ) { receiver, context, order in
            var values = try elements(receiver, context)
            try sortValues(&values, by: order.value, context: context)
            return values
        }
        type.method(
            "reversed", returns: "[Element]", doc: "The elements in reverse order.",
            example: "[1, 2, 3].reversed()   // [3, 2, 1]"
        ) { receiver, context in Array(try elements(receiver, context).reversed()) }
        type.method(
            "enumerated", returns: "[[Any]]", doc: "Pairs `[offset, element]`, for `for (i, x) in xs.enumerated()`.",
            example: "for (i, name) in names.enumerated() {\n    print(i, name)\n}"
        ) { receiver, context in
            try elements(receiver, context).enumerated().map { Value.array([.int($0.offset), $0.element]) }
        }
        type.method(
            "joined", Arg("separator", default: ""), doc: "The elements' descriptions joined into one string.",
            example: "[\"a\", \"b\"].joined(separator: \", \")   // \"a, b\""
        ) { receiver, context, separator in
            try elements(receiver, context).map(\.description).joined(separator: separator)
        }
        type.method(
            "min", returns: "Element?", doc: "The smallest element, or nil if empty.", example: "[3, 1, 2].min()   // 1"
        ) { receiver, context in
            let values = try elements(receiver, context)
            return try indexOfExtreme(values, less: true).map { values[$0] } ?? .nil
        }
        type.method(
            "max", returns: "Element?", doc: "The largest element, or nil if empty.", example: "[3, 1, 2].max()   // 3"
        ) { receiver, context in
            let values = try elements(receiver, context)
            return try indexOfExtreme(values, less: false).map { values[$0] } ?? .nil
        }
        type.method(
            "argmin", doc: "The index of the smallest element (the first, on ties), or nil if empty.",
            example: "[0.5, 0.2, 0.3].argmin()   // 1"
        ) { receiver, context in try indexOfExtreme(try elements(receiver, context), less: true) }
        type.method(
            "argmax", doc: "The index of the largest element (the first, on ties), or nil if empty.",
            example: "[0.5, 0.2, 0.3].argmax()   // 0"
        ) { receiver, context in try indexOfExtreme(try elements(receiver, context), less: false) }
        type.method(
            "sum", returns: "Number", doc: "The sum of the elements (0 if empty). Not in Swift; common in notebooks.",
            example: "[1, 2, 3].sum()   // 6"
        ) { receiver, context in
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
            "firstIndex", Arg<Value>("of", "element"), doc: "The index of the first element equal to `of`, or nil.",
            example: "[\"a\", \"b\"].firstIndex(of: \"b\")   // 1"
        ) { receiver, context, element in try elements(receiver, context).firstIndex(of: element) }
        type.method(
            "firstIndex", predicate("where"), doc: "The index of the first element satisfying `predicate`, or nil.",
            example: "losses.firstIndex { $0 < 0.1 }"
        ) { receiver, context, predicate in
            let call = context.prepare(predicate.value)
            return try elements(receiver, context).firstIndex {
                try requireBool(call($0), "firstIndex(where:)", parameter: "predicate")
            }
        }
        type.method(
            "lastIndex", Arg<Value>("of", "element"), doc: "The index of the last element equal to `of`, or nil.",
            example: "[1, 2, 1].lastIndex(of: 1)   // 2"
        ) { receiver, context, element in try elements(receiver, context).lastIndex(of: element) }
        type.method(
            "first", predicate("where"), returns: "Element?", doc: "The first element satisfying `predicate`, or nil.",
            example: "[1, 5, 9].first { $0 > 3 }   // 5"
        ) { receiver, context, predicate in
            let call = context.prepare(predicate.value)
            return try elements(receiver, context).first {
                try requireBool(call($0), "first(where:)", parameter: "predicate")
            } ?? .nil
        }
        type.method(
            "prefix", Arg<Int>(nil, "maxLength", bound: .atLeast(0)), returns: "[Element]",
            doc: "The first `maxLength` elements.", example: "[1, 2, 3].prefix(2)   // [1, 2]"
        ) { receiver, context, length in Array(try elements(receiver, context).prefix(length)) }
        type.method(
            "suffix", Arg<Int>(nil, "maxLength", bound: .atLeast(0)), returns: "[Element]",
            doc: "The last `maxLength` elements.", example: "[1, 2, 3].suffix(2)   // [2, 3]"
        ) { receiver, context, length in Array(try elements(receiver, context).suffix(length)) }
        type.method(
            "dropFirst", Arg(nil, "k", default: 1, bound: .atLeast(0)), returns: "[Element]",
            doc: "All but the first `k` elements.", example: "[1, 2, 3].dropFirst()   // [2, 3]"
        ) { receiver, context, k in Array(try elements(receiver, context).dropFirst(k)) }
        type.method(
            "dropLast", Arg(nil, "k", default: 1, bound: .atLeast(0)), returns: "[Element]",
            doc: "All but the last `k` elements.", example: "[1, 2, 3].dropLast()   // [1, 2]"
        ) { receiver, context, k in Array(try elements(receiver, context).dropLast(k)) }
        type.method(
            "shuffled", Arg<Int>("seed"), returns: "[Element]",
            doc: "The elements in a random order determined by `seed` (the same seed gives the same order).",
            example: "Array(0..<5).shuffled(seed: 42)"
        ) { receiver, context, seed in
            var generator = SplitMix64(seed: UInt64(bitPattern: Int64(seed)))
            var values = try elements(receiver, context)
            // Fisher–Yates written out, so the order never depends on the standard library's version.
            for i in Swift.stride(from: values.count - 1, to: 0, by: -1) {
                values.swapAt(i, Int(generator.next() % UInt64(i + 1)))
            }
            return values
        }
    }

    /// Runs `body` on the array a mutating method's receiver holds. The array is moved out first, so
    /// copy-on-write does not copy it, and put back afterwards, also when `body` throws.
    static func mutateArray(_ receiver: inout Value, _ body: (inout [Value]) throws -> Value) rethrows -> Value {
        try receiver.modifyArray(body) ?? .nil
    }

    static func registerArray(in registry: BuiltinRegistry) {
        registry.beginFamily("Arrays")
        let array = TypeBuilder<Value>(descriptor: registry.arrayType)
        registerSequenceMembers(on: array, name: "Array")
        array.mutatingMethod(
            "append", Arg<Value>(nil, "newElement"), returns: "Void", doc: "Adds an element at the end.",
            example: "var losses = []\nlosses.append(0.5)"
        ) { (receiver: inout Value, _: CallContext, element: Value) in
            mutateArray(&receiver) { a in
                a.append(element)
                return .nil
            }
        }
        array.mutatingMethod(
            "append", Arg<Value>("contentsOf", "newElements", type: "Sequence"), returns: "Void",
            doc: "Adds the elements of a sequence at the end.", example: "xs.append(contentsOf: [4, 5])"
        ) { (receiver: inout Value, context: CallContext, newElements: Value) in
            let more = try Members.elements(of: newElements, context: context)
            return mutateArray(&receiver) { a in
                a.append(contentsOf: more)
                return .nil
            }
        }
        array.mutatingMethod(
            "insert", Arg<Value>(nil, "newElement"), Arg<Int>("at", "index"), returns: "Void",
            doc: "Inserts an element at an index (0…count).", example: "xs.insert(0, at: 0)"
        ) { (receiver: inout Value, _: CallContext, element: Value, index: Int) in
            try mutateArray(&receiver) { a in
                guard index >= 0 && index <= a.count else {
                    throw BuiltinError(
                        .index, "insertion index \(index) is out of range for an array of \(a.count) elements",
                        parameter: "index", notes: ["valid insertion indices are 0...\(a.count)"])
                }
                a.insert(element, at: index)
                return .nil
            }
        }
        array.mutatingMethod(
            "remove", Arg<Int>("at", "index"), returns: "Element", doc: "Removes and returns the element at an index.",
            example: "let first = xs.remove(at: 0)"
        ) { (receiver: inout Value, _: CallContext, index: Int) in
            try mutateArray(&receiver) { a in
                guard index >= 0 && index < a.count else {
                    var error = Members.outOfRange(index, count: a.count)
                    error.parameter = "index"
                    throw error
                }
                return a.remove(at: index)
            }
        }
        array.mutatingMethod(
            "removeLast", returns: "Element", doc: "Removes and returns the last element (an error if empty).",
            example: "let last = stack.removeLast()"
        ) { (receiver: inout Value, _: CallContext) in
            try mutateArray(&receiver) { a in
                guard !a.isEmpty else {
                    throw BuiltinError(
                        .index, "cannot removeLast() from an empty array", notes: ["popLast() returns nil instead"])
                }
                return a.removeLast()
            }
        }
        array.mutatingMethod(
            "removeFirst", returns: "Element", doc: "Removes and returns the first element (an error if empty).",
            example: "let next = queue.removeFirst()"
        ) { (receiver: inout Value, _: CallContext) in
            try mutateArray(&receiver) { a in
                guard !a.isEmpty else { throw BuiltinError(.index, "cannot removeFirst() from an empty array") }
                return a.removeFirst()
            }
        }
        array.mutatingMethod(
            "popLast", returns: "Element?", doc: "Removes and returns the last element, or nil if empty.",
            example: "while let item = stack.popLast() { … }"
        ) { (receiver: inout Value, _: CallContext) in
            mutateArray(&receiver) { a in a.popLast() ?? .nil }
        }
        array.mutatingMethod("removeAll", returns: "Void", doc: "Removes every element.", example: "xs.removeAll()") {
            (receiver: inout Value, _: CallContext) in
            mutateArray(&receiver) { a in
                a.removeAll()
                return .nil
            }
        }
        array.mutatingMethod("sort", returns: "Void", doc: "Sorts the array in place, ascending.", example: "xs.sort()")
        {
            (receiver: inout Value, context: CallContext) in
            try mutateArray(&receiver) { a in
                try sortValues(&a, by: nil, context: context)
                return .nil
            }
        }
        array.mutatingMethod(
            "sort", Arg<FunctionValue>("by", "areInIncreasingOrder", type: "(Element, Element) -> Bool"),
            returns: "Void", doc: "Sorts the array in place by a comparison closure.", example: "xs.sort { $0 > $1 }"
        ) { (receiver: inout Value, context: CallContext, order: FunctionValue) in
            try mutateArray(&receiver) { a in
                try sortValues(&a, by: order.value, context: context)
                return .nil
            }
        }
        array.mutatingMethod("reverse", returns: "Void", doc: "Reverses the array in place.", example: "xs.reverse()") {
            (receiver: inout Value, _: CallContext) in
            mutateArray(&receiver) { a in
                a.reverse()
                return .nil
            }
        }
    }

    static func registerRange(in registry: BuiltinRegistry) {
        registry.beginFamily("Ranges")
        registerSequenceMembers(on: TypeBuilder<Value>(descriptor: registry.rangeType), name: "Range")
        let range = TypeBuilder<RangeValue>(descriptor: registry.rangeType)
        range.property("lowerBound", doc: "The first value.") { $0.lower }
        range.property("upperBound", doc: "The end as written (excluded for `..<`, included for `...`).") { $0.upper }
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
