import OrderedCollections

extension Prelude {
    /// `mutateArray`'s twin for dictionaries: moved out, mutated uniquely, put back.
    static func mutateDictionary(
        _ receiver: inout Value, _ body: (inout OrderedDictionary<Value, Value>) throws -> Value
    ) rethrows -> Value {
        try receiver.modifyDictionary(body) ?? .nil
    }

    static func registerDictionary(in registry: BuiltinRegistry) {
        registry.beginFamily("Dictionaries")
        let dictionary = registry.dictionaryType!
        func entries(_ value: Value) -> OrderedDictionary<Value, Value> {
            if case .dictionary(let d) = value { return d }
            return [:]
        }
        dictionary.property("count", type: "Int", doc: "The number of entries.") { .int(entries($0).count) }
        dictionary.property("isEmpty", type: "Bool", doc: "Whether there are no entries.") {
            .bool(entries($0).isEmpty)
        }
        dictionary.property("keys", type: "[Key]", doc: "The keys, in insertion order.") {
            .array(Array(entries($0).keys))
        }
        dictionary.property("values", type: "[Value]", doc: "The values, in insertion order.") {
            .array(Array(entries($0).values))
        }
        dictionary.method(
            "removeValue", [.labeled("forKey")], returns: "Value?", mutating: true,
            doc: "Removes a key and returns its value, or nil if it was absent.",
            example: "let old = settings.removeValue(forKey: \"seed\")"
        ) { receiver, arguments, _ in
            mutateDictionary(&receiver) { d in d.removeValue(forKey: arguments[0]) ?? .nil }
        }
        dictionary.method(
            "updateValue", [.positional("value"), .labeled("forKey")], returns: "Value?", mutating: true,
            doc: "Sets the value for a key and returns the old value, or nil.",
            example: "scores.updateValue(0.9, forKey: \"model A\")"
        ) { receiver, arguments, _ in
            mutateDictionary(&receiver) { d in d.updateValue(arguments[0], forKey: arguments[1]) ?? .nil }
        }
        dictionary.method(
            "mapValues", [.closure(nil, "transform", "(Value) -> T")], returns: "[Key: T]",
            doc: "A dictionary with the same keys and transformed values.",
            example: "[\"a\": 1, \"b\": 2].mapValues { $0 * 10 }   // [\"a\": 10, \"b\": 20]"
        ) { receiver, arguments, context in
            var out = OrderedDictionary<Value, Value>()
            for (key, value) in entries(receiver) { out[key] = try context.call(arguments[0], [value]) }
            return .dictionary(out)
        }
        dictionary.method(
            "filter", [.closure(nil, "isIncluded", "(Key, Value) -> Bool")], returns: "[Key: Value]",
            doc: "The entries for which `isIncluded(key, value)` is true.",
            example: "scores.filter { name, score in score > 0.9 }"
        ) { receiver, arguments, context in
            var out = OrderedDictionary<Value, Value>()
            for (key, value) in entries(receiver)
            where try requireBool(context.call(arguments[0], [key, value]), "filter") {
                out[key] = value
            }
            return .dictionary(out)
        }
        dictionary.method(
            "map", [.closure(nil, "transform", "(Key, Value) -> T")], returns: "[T]",
            doc: "Maps each entry, given as `key, value`, to an array element.",
            example: "settings.map { key, value in \"\\(key)=\\(value)\" }"
        ) { receiver, arguments, context in
            .array(try entries(receiver).map { try context.call(arguments[0], [$0.key, $0.value]) })
        }
        dictionary.method(
            "forEach", [.closure(nil, "body", "(Key, Value) -> Void")],
            doc: "Calls `body(key, value)` on each entry, in order.",
            example: "scores.forEach { name, score in print(name, score) }"
        ) { receiver, arguments, context in
            for (key, value) in entries(receiver) { _ = try context.call(arguments[0], [key, value]) }
            return .nil
        }
        dictionary.method(
            "sorted", [.closure("by", "areInIncreasingOrder", "([Key, Value], [Key, Value]) -> Bool")],
            returns: "[[Key, Value]]", doc: "The entries as `[key, value]` pairs, ordered by a comparison closure.",
            example: "scores.sorted { $0[1] > $1[1] }"
        ) { receiver, arguments, context in
            var pairs = entries(receiver).map { Value.array([$0.key, $0.value]) }
            try sortValues(&pairs, by: arguments[0], context: context)
            return .array(pairs)
        }
        dictionary.method(
            "enumerated", returns: "[[Any]]", doc: "Pairs `[offset, key]`, in insertion order.",
            example: "for (i, key) in settings.enumerated() { … }"
        ) { receiver, _, _ in
            .array(entries(receiver).keys.enumerated().map { .array([.int($0.offset), $0.element]) })
        }
    }
}
