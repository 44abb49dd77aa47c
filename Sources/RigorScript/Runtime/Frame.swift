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
    ///
    /// A slot holding nil, a Bool, an Int or a Double (no reference to release) is overwritten in place
    /// after a test of its tag; only the others go through `Value`'s outlined destroy.
    @inline(__always)
    func reset() {
        for index in 0..<slotCount { (slots + index).clearValue() }
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

extension UnsafeMutablePointer where Pointee == Value {
    /// Stores nil here, releasing the old value only when it holds a reference: a trivial payload (nil,
    /// Bool, Int, Double) is overwritten without the call to `Value`'s outlined destroy, which is what
    /// clearing a frame of Int locals costs most of.
    @inline(__always)
    func clearValue() {
        switch pointee {
        case .nil: return
        case .bool, .int, .double: initialize(to: .nil)
        default: pointee = .nil
        }
    }

    /// Stores `new` here, releasing the old value only when it holds a reference.
    @inline(__always)
    func storeValue(_ new: consuming Value) {
        switch pointee {
        case .nil, .bool, .int, .double: initialize(to: new)
        default: pointee = new
        }
    }
}

extension Value {
    /// A copy of this value. A nil, Bool, Int or Double is rebuilt from its payload after a test of the tag,
    /// without the call to `Value`'s outlined copy that a copy of the multi-payload enum otherwise makes.
    @inline(__always)
    var copied: Value {
        switch self {
        case .int(let x): return .int(x)
        case .double(let x): return .double(x)
        case .bool(let x): return .bool(x)
        case .nil: return .nil
        default: return self
        }
    }

    /// Stores the Int `new` in `place`, releasing the old value only when it holds a reference (a loop's
    /// global variable).
    @inline(__always)
    static func store(int new: Int, into place: inout Value) {
        withUnsafeMutablePointer(to: &place) { $0.storeValue(.int(new)) }
    }

    /// Drops a value nobody uses (an expression statement's result): a nil, Bool, Int or Double is dropped
    /// after a test of its tag, without the call to the outlined destroy.
    @inline(__always)
    static func discard(_ value: consuming Value) {
        switch consume value {
        case .nil, .bool, .int, .double: return
        case let other: _ = consume other
        }
    }
}
