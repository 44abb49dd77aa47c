import RigorScript

/// What `display(_:)` returns: a handle to the output, for `update(_:)`.
final class DisplayHandle: NativeObject {
    let id: String

    init(id: String) { self.id = id }

    var typeName: String { "DisplayHandle" }
    var description: String { "DisplayHandle(\(id))" }
}
