/// GlobalTable: a session's globals by name, builtins included (users may shadow them).
final class GlobalTable {
    private(set) var cells: [String: GlobalCell] = [:]

    /// The cell for `name`, created undefined if new (globals are late-bound).
    func cell(named name: String) -> GlobalCell {
        if let cell = cells[name] { return cell }
        let cell = GlobalCell(name: name)
        cells[name] = cell
        return cell
    }

    func removeAll() { cells.removeAll() }

    /// Defines the builtins registered lazily since the globals were last defined (`BuiltinRegistry.registerLazily`;
    /// set by the session); returns whether it defined any.
    var loadPendingBuiltins: (() -> Bool)?

    /// Called where a global is read undefined: a lazily registered builtin of that name becomes defined.
    func loadBuiltins() -> Bool { loadPendingBuiltins?() ?? false }

    /// Names that currently hold a value.
    var definedNames: [String] { cells.values.filter(\.isDefined).map(\.name) }

    func defineBuiltin(_ name: String, _ value: Value) {
        let cell = cell(named: name)
        cell.value = value
        cell.isDefined = true
        cell.isConstant = false
        cell.isBuiltin = true
    }
}
