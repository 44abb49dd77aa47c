/// Frame: the storage of one function activation — local slots, boxed (captured) locals, and the
/// boxes the function's closure captured.
final class Frame {
    let slots: UnsafeMutablePointer<Value>
    private let slotCount: Int
    var cells: [Box]
    var captures: [Box]
    var returnValue: Value = .nil

    init(slotCount: Int, cellCount: Int, captures: [Box]) {
        self.slotCount = slotCount
        slots = .allocate(capacity: Swift.max(slotCount, 1))
        slots.initialize(repeating: .nil, count: slotCount)
        cells = cellCount == 0 ? [] : (0..<cellCount).map { _ in Box(.nil) }
        self.captures = captures
    }

    /// Clears every local after a call, arguments too, so a recycled frame keeps none of its values alive;
    /// the captures are replaced when the frame is reused, and the return value was taken by the call
    /// (`takeReturnValue`).
    @inline(__always)
    func reset() {
        slots.update(repeating: .nil, count: slotCount)
    }

    /// New boxes for the boxed locals of a reused frame: closures of the previous call may still
    /// hold the old ones.
    func renewCells() {
        for index in cells.indices { cells[index] = Box(.nil) }
    }

    /// Moves the return value out, leaving `nil` (no retain and release of a copy).
    @inline(__always)
    func takeReturnValue() -> Value {
        var result = Value.nil
        swap(&result, &returnValue)
        return result
    }

    deinit {
        slots.deinitialize(count: slotCount)
        slots.deallocate()
    }
}

/// A variable shared between a function and the closures that capture it.
final class Box {
    var value: Value
    init(_ value: Value) { self.value = value }
}

/// A session global: late-bound, so a function can use a global defined in a later cell.
public final class GlobalCell {
    public let name: String
    public internal(set) var value: Value = .nil
    public internal(set) var isDefined = false
    public internal(set) var isConstant = false
    /// Builtins live in the same table, so users may shadow them (`let max = 3`).
    public internal(set) var isBuiltin = false
    /// Where it was declared (for notes), nil for builtins.
    var declarationSpan: SourceSpan?
    /// The declaring function, for inspection.
    var function: FunctionDecl?

    init(name: String) { self.name = name }
}
