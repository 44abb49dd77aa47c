import OrderedCollections

/// Members: property access, subscripts and iteration on values, through the type descriptors in
/// the registry. Errors are `BuiltinError`s; the compiled code anchors them at the user's span.
enum Members {
    static func noMember(_ value: Value, _ name: String, registry: BuiltinRegistry) -> BuiltinError {
        var candidates: [String] = []
        if case .type(let descriptor) = value {
            candidates = descriptor.staticMemberNames
        } else if let descriptor = registry.descriptor(for: value) {
            candidates = descriptor.memberNames
        }
        var notes: [String] = []
        if let suggestion = Suggestions.closest(to: name, in: candidates) {
            notes.append("did you mean '\(suggestion)'?")
        }
        if case .type(let descriptor) = value {
            return BuiltinError(.type, "type '\(descriptor.name)' has no member '\(name)'", notes: notes)
        }
        if value.isNil {
            notes.append("the value is nil; unwrap it first with 'if let' or '??'")
        }
        return BuiltinError(.type, "value of type '\(value.typeName)' has no member '\(name)'", notes: notes)
    }

    /// `value.name` where it is not called: a property, or a method as a function value.
    static func get(_ value: Value, _ name: String, context: CallContext) throws -> Value {
        let registry = context.registry
        if case .type(let descriptor) = value {
            if let property = descriptor.staticProperties[name] { return try property.get(value, context) }
            if let method = descriptor.staticMethods[name] { return .function(method) }
            throw noMember(value, name, registry: registry)
        }
        guard let descriptor = registry.descriptor(for: value) else { throw noMember(value, name, registry: registry) }
        if let property = descriptor.properties[name] { return try property.get(value, context) }
        if let method = descriptor.methods[name] { return .function(BoundMethod(receiver: value, method: method)) }
        throw noMember(value, name, registry: registry)
    }

    /// `object.name = value`: only objects (references) have settable properties.
    static func set(_ object: Value, _ name: String, to value: Value, context: CallContext) throws {
        guard let descriptor = context.registry.descriptor(for: object), let property = descriptor.properties[name]
        else { throw noMember(object, name, registry: context.registry) }
        guard let setter = property.set else {
            throw BuiltinError(.type, "cannot assign to property: '\(name)' is a get-only property")
        }
        try setter(object, value, context)
    }

    // MARK: - Subscripts

    static func outOfRange(_ index: Int, count: Int) -> BuiltinError {
        BuiltinError(
            .index, "index \(index) is out of range for an array of \(count) element\(count == 1 ? "" : "s")",
            notes: [count == 0 ? "the array is empty" : "valid indices are 0..<\(count)"])
    }

    /// `dictionary[key, default: value]`: the entry, or `value` when there is none.
    static func subscriptGet(_ container: Value, _ key: Value, default defaultValue: Value) throws -> Value {
        guard let dictionary = container.dictionaryEntries else {
            throw BuiltinError(
                .type, "only a dictionary subscript takes a 'default:' value, not '\(container.typeName)'")
        }
        return dictionary[key] ?? defaultValue
    }

    static func subscriptGet(_ container: Value, _ indices: [Value], context: CallContext) throws -> Value {
        switch container {
        case .array(let array):
            guard indices.count == 1 else { throw BuiltinError(.type, "an array takes exactly one index") }
            switch indices[0] {
            case .int(let i):
                guard i >= 0 && i < array.count else { throw outOfRange(i, count: array.count) }
                return array[i]
            case .range(let r):
                guard r.lower >= 0, r.upperBoundExclusive <= array.count, r.lower <= r.upperBoundExclusive else {
                    throw BuiltinError(
                        .index,
                        "range \(Value.range(r).debugDescription) is out of bounds for an array of \(array.count) elements"
                    )
                }
                return .array(Array(array[r.indices]))
            default:
                throw BuiltinError(
                    .type, "cannot subscript an array with a value of type '\(indices[0].typeName)'",
                    notes: ["use an Int index or a range"])
            }
        case .dictionaryBox(let box):
            let dictionary = box.entries
            guard indices.count == 1 else { throw BuiltinError(.type, "a dictionary takes exactly one key") }
            return dictionary[indices[0]] ?? .nil
        case .string(let string):
            guard indices.count == 1, case .int(let i) = indices[0] else {
                throw BuiltinError(.type, "a String is subscripted with one Int")
            }
            let characters = Array(string)
            guard i >= 0 && i < characters.count else {
                throw BuiltinError(.index, "index \(i) is out of range for a string of \(characters.count) characters")
            }
            return .string(String(characters[i]))
        default:
            if let descriptor = context.registry.descriptor(for: container), let get = descriptor.subscriptGetter {
                return try get(container, indices, context)
            }
            throw BuiltinError(.type, "value of type '\(container.typeName)' has no subscripts")
        }
    }

    /// Applies `body` to the element at `indices`, writing it back (arrays and dictionaries are
    /// values: the container is modified in place, uniquely referenced).
    static func subscriptModify(
        _ container: inout Value, _ indices: [Value], default defaultValue: Value? = nil, context: CallContext,
        _ body: (inout Value) throws -> Void
    ) throws {
        if indices.count == 1 {
            try subscriptModify(&container, key: indices[0], default: defaultValue, context: context, body)
            return
        }
        if case .array = container { throw BuiltinError(.type, "array elements are assigned through one Int index") }
        if case .dictionaryBox = container { throw BuiltinError(.type, "a dictionary takes exactly one key") }
        try objectSubscriptModify(container, indices, default: defaultValue, context: context, body)
    }

    /// `subscriptModify` with one index, the common case (no array of indices per write).
    static func subscriptModify(
        _ container: inout Value, key: Value, default defaultValue: Value? = nil, context: CallContext,
        _ body: (inout Value) throws -> Void
    ) throws {
        // The collection is modified where it lies (`modifyArray` and `modifyDictionary` consume the value, so its
        // storage stays uniquely referenced) and the element is yielded in place: a nested `grid[i][j] = x` is in
        // place at every level, and nothing is copied unless the storage is shared.
        // `if case` rather than `switch`: a switch keeps a copy of its subject alive through the case bodies, and
        // that second reference would make the first write copy the whole collection.
        if case .array = container {
            guard defaultValue == nil else {
                throw BuiltinError(.type, "an array subscript takes no 'default:' value", notes: ["use array[index]"])
            }
            guard case .int(let i) = key else {
                throw BuiltinError(.type, "array elements are assigned through one Int index")
            }
            try container.modifyArray { array in
                guard i >= 0 && i < array.count else { throw outOfRange(i, count: array.count) }
                try body(&array[i])
            }
            return
        }
        if case .dictionaryBox = container {
            try container.modifyDictionary { dictionary in
                // One lookup: the entry is modified in place (it keeps its position) or appended with the
                // default; assigning nil removes it, as in Swift. (`values[index]` would go through two
                // modify coroutines, whose frame is allocated on every write.)
                let count = dictionary.count
                var isNil = false
                do {
                    try dictionary.updateValue(forKey: key, default: defaultValue ?? .nil) { element in
                        try body(&element)
                        isNil = element.isNil
                    }
                } catch {
                    // A new entry appended for `body` is taken back.
                    if dictionary.count > count { dictionary.removeLast() }
                    throw error
                }
                if isNil { dictionary.removeValue(forKey: key) }
            }
            return
        }
        try objectSubscriptModify(container, [key], default: defaultValue, context: context, body)
    }

    /// A subscript write on an object (a tensor, a dataset), through its type's getter and setter.
    private static func objectSubscriptModify(
        _ container: Value, _ indices: [Value], default defaultValue: Value?, context: CallContext,
        _ body: (inout Value) throws -> Void
    ) throws {
        guard defaultValue == nil else {
            throw BuiltinError(
                .type, "only a dictionary subscript takes a 'default:' value, not '\(container.typeName)'")
        }
        if let descriptor = context.registry.descriptor(for: container), let get = descriptor.subscriptGetter,
            let set = descriptor.subscriptSetter
        {
            var element = try get(container, indices, context)
            try body(&element)
            try set(container, indices, element, context)
            return
        }
        throw BuiltinError(
            .type, "cannot assign through subscript: value of type '\(container.typeName)' is not mutable")
    }

    // MARK: - Iteration

    /// The elements `for x in value` visits.
    static func elements(of value: Value, context: CallContext) throws -> [Value] {
        switch value {
        case .array(let array): return array
        case .range(let range):
            try context.registry.checkAllocation(
                count: range.count, stride: BuiltinRegistry.valueStride,
                operation: "the elements of \(Value.range(range))")
            // Written in place in one pass (no closure per element, no capacity checks).
            let indices = range.indices
            if indices.isEmpty { return [] }
            return [Value](unsafeUninitializedCapacity: indices.count) { buffer, initialized in
                var slot = buffer.baseAddress!
                for i in indices {
                    slot.initialize(to: .int(i))
                    slot += 1
                }
                initialized = indices.count
            }
        case .string(let string): return string.map { .string(String($0)) }
        case .dictionaryBox(let dictionary): return Array(dictionary.entries.keys)
        default:
            if let descriptor = context.registry.descriptor(for: value), let iterate = descriptor.iterate {
                return try iterate(value, context)
            }
            throw BuiltinError(
                .type, "for-in loop requires a sequence, but a value of type '\(value.typeName)' is not one",
                notes: ["loop over a range (0..<n), an array, a string or a dictionary's keys"])
        }
    }
}
