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
        let dictionary = TypeBuilder<OrderedDictionary<Value, Value>>(descriptor: registry.dictionaryType)
        dictionary.property("count", doc: "The number of entries.") { $0.count }
        dictionary.property("isEmpty", doc: "Whether there are no entries.") { $0.isEmpty }
        dictionary.property("keys", type: "[Key]", doc: "The keys, in insertion order.") { Array($0.keys) }
        dictionary.property("values", type: "[Value]", doc: "The values, in insertion order.") { Array($0.values) }
        dictionary.mutatingMethod(
            "removeValue", Arg<Value>("forKey", "key"), returns: "Value?",
            doc: "Removes a key and returns its value, or nil if it was absent.",
            example: "let old = settings.removeValue(forKey: \"seed\")"
        ) { (receiver: inout Value, _: CallContext, key: Value) in
            mutateDictionary(&receiver) { d in d.removeValue(forKey: key) ?? .nil }
        }
        dictionary.mutatingMethod(
            "updateValue", Arg<Value>(nil, "value"), Arg<Value>("forKey", "key"), returns: "Value?",
            doc: "Sets the value for a key and returns the old value, or nil.",
            example: "scores.updateValue(0.9, forKey: \"model A\")"
        ) { (receiver: inout Value, _: CallContext, value: Value, key: Value) in
            mutateDictionary(&receiver) { d in d.updateValue(value, forKey: key) ?? .nil }
        }
        dictionary.method(
            "mapValues", Arg<FunctionValue>(nil, "transform", type: "(Value) -> T"), returns: "[Key: T]",
            doc: "A dictionary with the same keys and transformed values.",
            example: "[\"a\": 1, \"b\": 2].mapValues { $0 * 10 }   // [\"a\": 10, \"b\": 20]"
        ) { entries, context, transform in
            let call = context.prepare(transform.value)
            var out = OrderedDictionary<Value, Value>()
            for (key, value) in entries { out[key] = try call(value) }
            return Value.dictionary(out)
        }
        dictionary.method(
            "filter", Arg<FunctionValue>(nil, "isIncluded", type: "(Key, Value) -> Bool"), returns: "[Key: Value]",
            doc: "The entries for which `isIncluded(key, value)` is true.",
            example: "scores.filter { name, score in score > 0.9 }"
        ) { entries, context, isIncluded in
            let call = context.prepare(isIncluded.value)
            var out = OrderedDictionary<Value, Value>()
            for (key, value) in entries where try requireBool(call(key, value), "filter", parameter: "isIncluded") {
                out[key] = value
            }
            return Value.dictionary(out)
        }
        dictionary.method(
            "map", Arg<FunctionValue>(nil, "transform", type: "(Key, Value) -> T"), returns: "[T]",
            doc: "Maps each entry, given as `key, value`, to an array element.",
            example: "settings.map { key, value in \"\\(key)=\\(value)\" }"
        ) { entries, context, transform in
            let call = context.prepare(transform.value)
            return try entries.map { try call($0.key, $0.value) }
        }
        dictionary.method(
            "forEach", Arg<FunctionValue>(nil, "body", type: "(Key, Value) -> Void"),
            doc: "Calls `body(key, value)` on each entry, in order.",
            example: "scores.forEach { name, score in print(name, score) }"
        ) { entries, context, body in
            let call = context.prepare(body.value)
            for (key, value) in entries { _ = try call(key, value) }
        }
        dictionary.method(
            "sorted", Arg<FunctionValue>("by", "areInIncreasingOrder", type: "([Key, Value], [Key, Value]) -> Bool"),
            returns: "[[Key, Value]]", doc: "The entries as `[key, value]` pairs, ordered by a comparison closure.",
            example: "scores.sorted { $0[1] > $1[1] }"
        ) { entries, context, order in
            var pairs = entries.map { Value.array([$0.key, $0.value]) }
            try sortValues(&pairs, by: order.value, context: context)
            return pairs
        }
        dictionary.method(
            "enumerated", returns: "[[Any]]", doc: "Pairs `[offset, key]`, in insertion order.",
            example: "for (i, key) in settings.enumerated() { … }"
        ) { entries, _ in
            entries.keys.enumerated().map { Value.array([.int($0.offset), $0.element]) }
        }
    }
}
