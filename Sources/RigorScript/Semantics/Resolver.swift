/// Resolver: decides where every name lives (frame slot, captured box, or session global) and
/// finds the errors that need no running: `break` outside a loop, a `guard` that falls through,
/// a name declared twice in one scope, assignment to a `let`.
final class Resolver {
    private final class LocalVariable {
        enum Storage {
            case slot(Int)
            case cell(Int)
        }
        let name: String
        let isConstant: Bool
        let storage: Storage
        let span: SourceSpan
        unowned let owner: FunctionScope
        init(name: String, isConstant: Bool, storage: Storage, span: SourceSpan, owner: FunctionScope) {
            self.name = name
            self.isConstant = isConstant
            self.storage = storage
            self.span = span
            self.owner = owner
        }
    }

    private final class FunctionScope {
        let parent: FunctionScope?
        let declaration: FunctionDecl
        let isCell: Bool
        var blocks: [[String: LocalVariable]] = [[:]]
        let boxedNames: Set<String>
        var captureIndex: [ObjectIdentifier: Int] = [:]
        var loopDepth = 0
        init(parent: FunctionScope?, declaration: FunctionDecl, isCell: Bool, boxedNames: Set<String>) {
            self.parent = parent
            self.declaration = declaration
            self.isCell = isCell
            self.boxedNames = boxedNames
        }
        var isAtCellTopLevel: Bool { isCell && blocks.count == 1 }
    }

    private let globals: GlobalTable
    private let registry: BuiltinRegistry
    private(set) var diagnostics: [Diagnostic] = []
    private var scope: FunctionScope!
    /// Top-level names this cell declares, with whether they are constants.
    private var cellDeclarations: [String: (isConstant: Bool, span: SourceSpan)] = [:]

    init(globals: GlobalTable, registry: BuiltinRegistry) {
        self.globals = globals
        self.registry = registry
    }

    private func error(_ message: String, at span: SourceSpan, notes: [Diagnostic.Note] = [], kind: ErrorKind = .syntax)
    {
        diagnostics.append(Diagnostic(kind, message, at: span, notes: notes))
    }

    /// Resolves a cell, returning it wrapped as a parameterless function.
    func resolveCell(_ statements: [Stmt], span: SourceSpan) -> FunctionDecl {
        let cell = FunctionDecl(
            name: "", nameSpan: span, parameters: [], returnType: nil, body: statements, isClosure: false, span: span)
        scope = FunctionScope(
            parent: nil, declaration: cell, isCell: true,
            boxedNames: CaptureScanner.namesUsedInNestedFunctions(statements))
        resolveBlockBody(statements)
        finish(scope)
        return cell
    }

    // MARK: - Scopes

    private func finish(_ scope: FunctionScope) {
        _ = scope
    }

    private func declare(
        _ name: String, isConstant: Bool, span: SourceSpan, function: FunctionDecl? = nil
    ) -> DeclarationLocation {
        if scope.isAtCellTopLevel {
            if let previous = cellDeclarations[name] {
                error(
                    "invalid redeclaration of '\(name)'", at: span,
                    notes: [Diagnostic.Note("'\(name)' previously declared here", at: previous.span)])
            }
            cellDeclarations[name] = (isConstant, span)
            return .global(globals.cell(named: name))
        }
        if let previous = scope.blocks[scope.blocks.count - 1][name] {
            error(
                "invalid redeclaration of '\(name)'", at: span,
                notes: [Diagnostic.Note("'\(name)' previously declared here", at: previous.span)])
        }
        let declaration = scope.declaration
        let storage: LocalVariable.Storage
        let location: DeclarationLocation
        if scope.boxedNames.contains(name) {
            storage = .cell(declaration.cellCount)
            location = .cell(declaration.cellCount)
            declaration.cellCount += 1
        } else {
            storage = .slot(declaration.slotCount)
            location = .local(declaration.slotCount)
            declaration.slotCount += 1
        }
        scope.blocks[scope.blocks.count - 1][name] = LocalVariable(
            name: name, isConstant: isConstant, storage: storage, span: span, owner: scope)
        return location
    }

    private func lookupLocal(_ name: String, in function: FunctionScope) -> LocalVariable? {
        for block in function.blocks.reversed() {
            if let local = block[name] { return local }
        }
        return nil
    }

    /// Where `name` lives, seen from the current function; adds captures along the way.
    private func resolve(_ name: String) -> (VariableLocation, isConstant: Bool?, span: SourceSpan?) {
        if let local = lookupLocal(name, in: scope) {
            switch local.storage {
            case .slot(let slot): return (.local(slot), local.isConstant, local.span)
            case .cell(let cell): return (.cell(cell), local.isConstant, local.span)
            }
        }
        // An enclosing function's local: capture it through every function in between.
        var chain: [FunctionScope] = [scope]
        var outer = scope.parent
        while let function = outer {
            if let local = lookupLocal(name, in: function) {
                guard case .cell(let cellIndex) = local.storage else {
                    // The capture scanner boxes every name a nested function mentions; only `$0`
                    // of an outer closure can get here.
                    error("'\(name)' of an enclosing closure cannot be used in a nested closure", at: local.span)
                    return (.local(0), true, local.span)
                }
                var source = FunctionDecl.CaptureSource.cell(cellIndex)
                for inner in chain.reversed() {
                    let key = ObjectIdentifier(local)
                    if let index = inner.captureIndex[key] {
                        source = .capture(index)
                    } else {
                        inner.declaration.captures.append(source)
                        let index = inner.declaration.captures.count - 1
                        inner.captureIndex[key] = index
                        source = .capture(index)
                    }
                }
                guard case .capture(let index) = source else { preconditionFailure() }
                return (.capture(index), local.isConstant, local.span)
            }
            chain.append(function)
            outer = function.parent
        }
        if let declared = cellDeclarations[name] {
            return (.global(globals.cell(named: name)), declared.isConstant, declared.span)
        }
        let cell = globals.cell(named: name)
        return (.global(cell), cell.isDefined ? cell.isConstant : nil, cell.declarationSpan)
    }

    // MARK: - Statements

    private func resolveBlockBody(_ statements: [Stmt]) {
        // `func` declarations are visible throughout their block (Swift's rule).
        for case let function as FunctionDecl in statements {
            function.location = declare(function.name, isConstant: true, span: function.nameSpan, function: function)
        }
        for statement in statements { resolve(statement) }
    }

    private func resolveBlock(_ block: BlockStmt, prelude: () -> Void = {}) {
        scope.blocks.append([:])
        prelude()
        resolveBlockBody(block.statements)
        scope.blocks.removeLast()
    }

    private func resolve(_ statement: Stmt) {
        switch statement.node {
        case .expression(let s):
            resolve(s.expression)
        case .assignment(let s):
            resolve(s.value)
            resolveAssignmentTarget(s.target, opSpan: s.opSpan)
        case .variableDeclaration(let s):
            resolve(s.initializer)
            checkType(s.type, at: s.nameSpan)
            if !s.name.isEmpty { s.location = declare(s.name, isConstant: s.isConstant, span: s.nameSpan) }
        case .destructuring(let s):
            resolve(s.initializer)
            for variable in s.variables where !variable.name.isEmpty {
                variable.location = declare(variable.name, isConstant: variable.isConstant, span: variable.nameSpan)
            }
        case .functionDeclaration(let s):
            resolveFunction(s)
        case .ifStatement(let s):
            // `if let` bindings are visible in later conditions and in the then-branch only.
            scope.blocks.append([:])
            for condition in s.conditions {
                switch condition {
                case .expression(let e): resolve(e)
                case .binding(let decl):
                    resolve(decl.initializer)
                    decl.location = declare(decl.name, isConstant: decl.isConstant, span: decl.nameSpan)
                }
            }
            resolveBlock(s.thenBranch)
            scope.blocks.removeLast()
            if let elseBranch = s.elseBranch {
                if let block = elseBranch as? BlockStmt { resolveBlock(block) } else { resolve(elseBranch) }
            }
        case .guardStatement(let s):
            // `guard let` bindings are visible in later conditions and after the guard.
            for condition in s.conditions {
                switch condition {
                case .expression(let e): resolve(e)
                case .binding(let decl):
                    resolve(decl.initializer)
                    decl.location = declare(decl.name, isConstant: decl.isConstant, span: decl.nameSpan)
                }
            }
            resolveBlock(s.elseBranch)
            if !Resolver.exits(s.elseBranch) {
                error(
                    "'guard' body must not fall through, consider using a 'return' or 'break' to exit the scope",
                    at: s.elseBranch.span.end == s.elseBranch.span.start ? s.span : closingBrace(of: s.elseBranch))
            }
        case .forLoop(let s):
            resolve(s.sequence)
            scope.loopDepth += 1
            resolveBlock(s.body) {
                for variable in s.variables where !variable.name.isEmpty {
                    variable.location = declare(variable.name, isConstant: true, span: variable.nameSpan)
                }
            }
            scope.loopDepth -= 1
        case .whileLoop(let s):
            resolve(s.condition)
            scope.loopDepth += 1
            resolveBlock(s.body)
            scope.loopDepth -= 1
        case .block(let s):
            resolveBlock(s)
        case .returnStatement(let s):
            if scope.isCell {
                error(
                    "'return' is only allowed inside a function", at: s.span,
                    notes: [Diagnostic.Note("the last expression of a cell is its result; no 'return' is needed")])
            }
            if let value = s.value { resolve(value) }
        case .breakStatement:
            if scope.loopDepth == 0 { error("'break' is only allowed inside a loop", at: statement.span) }
        case .continueStatement:
            if scope.loopDepth == 0 { error("'continue' is only allowed inside a loop", at: statement.span) }
        }
    }

    private func closingBrace(of block: BlockStmt) -> SourceSpan {
        var start = block.span.end
        start.column = max(1, start.column - 1)
        return SourceSpan(source: block.span.source, start: start, end: block.span.end)
    }

    /// Whether a block always leaves its scope (guard's rule).
    static func exits(_ block: BlockStmt) -> Bool {
        guard let last = block.statements.last else { return false }
        switch last {
        case is ReturnStmt, is BreakStmt, is ContinueStmt: return true
        case let s as IfStmt:
            guard let elseBranch = s.elseBranch else { return false }
            let elseExits: Bool
            if let block = elseBranch as? BlockStmt {
                elseExits = exits(block)
            } else {
                elseExits = exits(BlockStmt(statements: [elseBranch], span: elseBranch.span))
            }
            return exits(s.thenBranch) && elseExits
        case let s as BlockStmt: return exits(s)
        case let s as ExpressionStmt:
            // A call to fatalError-like builtins is not modelled; a bare call does not exit.
            _ = s
            return false
        default: return false
        }
    }

    private func checkType(_ type: TypeAnnotation?, at span: SourceSpan) {
        guard let type else { return }
        switch type {
        case .named(let name):
            if !registry.isKnownTypeName(name) {
                let names = Array(registry.types.keys)
                var notes: [Diagnostic.Note] = []
                if let suggestion = Suggestions.closest(to: name, in: names) {
                    notes.append(Diagnostic.Note("did you mean '\(suggestion)'?"))
                }
                error("cannot find type '\(name)' in scope", at: span, notes: notes)
            }
        case .array(let element): checkType(element, at: span)
        case .dictionary(let key, let value):
            checkType(key, at: span)
            checkType(value, at: span)
        case .optional(let wrapped): checkType(wrapped, at: span)
        case .function: break
        }
    }

    private func resolveFunction(_ function: FunctionDecl) {
        if case .unresolved = function.location {
            function.location = declare(function.name, isConstant: true, span: function.nameSpan, function: function)
        }
        resolveFunctionBody(function)
    }

    private func resolveFunctionBody(_ function: FunctionDecl) {
        let enclosing = scope!
        let inner = FunctionScope(
            parent: enclosing, declaration: function, isCell: false,
            boxedNames: CaptureScanner.namesUsedInNestedFunctions(function.body)
                .union(function.isClosure ? CaptureScanner.namesUsedInNestedFunctions([]) : []))
        scope = inner
        // Defaults are evaluated at the call, in the function's context, before parameters exist.
        for parameter in function.parameters {
            if let value = parameter.defaultValue { resolve(value) }
            checkType(parameter.type, at: parameter.nameSpan)
        }
        checkType(function.returnType, at: function.nameSpan)
        if function.isClosure && function.parameters.isEmpty {
            let count = DollarScanner.parameterCount(function.body, diagnostics: &diagnostics)
            if count > 0 {
                function.usesDollarParameters = true
                function.parameters = (0..<count).map {
                    Parameter(label: nil, name: "$\($0)", nameSpan: function.span, type: nil, defaultValue: nil)
                }
            }
        } else if function.isClosure {
            var ignored: [Diagnostic] = []
            if DollarScanner.parameterCount(function.body, diagnostics: &ignored) > 0,
                let span = DollarScanner.firstUse(function.body)
            {
                error(
                    "anonymous closure arguments cannot be used inside a closure that has explicit arguments", at: span)
            }
        }
        for index in function.parameters.indices where function.parameters[index].name != "_" {
            let parameter = function.parameters[index]
            function.parameters[index].location = declare(parameter.name, isConstant: true, span: parameter.nameSpan)
        }
        resolveBlockBody(function.body)
        scope = enclosing
    }

    // MARK: - Expressions

    private func resolveAssignmentTarget(_ target: Expr, opSpan: SourceSpan) {
        switch target {
        case let v as VariableExpr:
            let (location, isConstant, span) = resolve(v.name)
            v.location = location
            if isConstant == true {
                var notes: [Diagnostic.Note] = []
                if let span { notes.append(Diagnostic.Note("change 'let' to 'var' to make it mutable", at: span)) }
                error("cannot assign to value: '\(v.name)' is a 'let' constant", at: v.span, notes: notes)
            }
        case let s as SubscriptExpr:
            checkSubscriptLabels(s)
            for argument in s.arguments { resolve(argument.value) }
            checkMutable(s.object, member: nil)
            resolveAssignmentTarget(s.object, opSpan: opSpan, nested: true)
        case let m as MemberExpr:
            resolve(m.object)
        default:
            resolve(target)
        }
    }

    /// The receiver of a subscript assignment: resolved like a target, without the `let` error
    /// (which `checkMutable` reports once, with Swift's wording).
    private func resolveAssignmentTarget(_ target: Expr, opSpan: SourceSpan, nested: Bool) {
        switch target {
        case let v as VariableExpr:
            v.location = resolve(v.name).0
        case let s as SubscriptExpr:
            checkSubscriptLabels(s)
            for argument in s.arguments { resolve(argument.value) }
            resolveAssignmentTarget(s.object, opSpan: opSpan, nested: true)
        default:
            resolve(target)
        }
    }

    /// Subscripts take positional indices; the one label is Swift's `dictionary[key, default: value]`.
    private func checkSubscriptLabels(_ s: SubscriptExpr) {
        for (position, argument) in s.arguments.enumerated() {
            guard let label = argument.label, let labelSpan = argument.labelSpan else { continue }
            if label == "default" && position == 1 && s.arguments.count == 2 { continue }
            let notes =
                label == "default"
                ? [Diagnostic.Note("write dictionary[key, default: value]")] : [Diagnostic.Note("remove '\(label):'")]
            error("extraneous argument label '\(label):' in subscript", at: labelSpan, notes: notes)
        }
    }

    /// Reports mutation through a `let` (`let xs = []; xs.append(1)` or `xs[0] = 1`).
    private func checkMutable(_ receiver: Expr, member: String?) {
        var root = receiver
        while let s = root as? SubscriptExpr { root = s.object }
        guard let variable = root as? VariableExpr else { return }
        let (_, isConstant, span) = resolve(variable.name)
        guard isConstant == true else { return }
        let what =
            member.map { "cannot use mutating member '\($0)' on immutable value" } ?? "cannot assign through subscript"
        var notes: [Diagnostic.Note] = []
        if let span { notes.append(Diagnostic.Note("change 'let' to 'var' to make it mutable", at: span)) }
        error("\(what): '\(variable.name)' is a 'let' constant", at: variable.span, notes: notes)
    }

    private func resolve(_ expression: Expr) {
        switch expression.node {
        case .literal, .operatorFunction:
            break
        case .interpolatedString(let e):
            for case .expression(let part) in e.parts { resolve(part) }
        case .variable(let e):
            e.location = resolve(e.name).0
        case .dollar(let e):
            e.location = resolve("$\(e.index)").0
        case .implicitMember(let e):
            for argument in e.arguments ?? [] { resolve(argument.value) }
        case .unary(let e):
            resolve(e.operand)
        case .binary(let e):
            resolve(e.left)
            resolve(e.right)
        case .ternary(let e):
            resolve(e.condition)
            resolve(e.thenBranch)
            resolve(e.elseBranch)
        case .member(let e):
            resolve(e.object)
        case .subscriptAccess(let e):
            checkSubscriptLabels(e)
            resolve(e.object)
            for argument in e.arguments { resolve(argument.value) }
        case .call(let e):
            if let member = e.callee as? MemberExpr, MutatingMethods.names.contains(member.name) {
                checkMutable(member.object, member: member.name)
            }
            resolve(e.callee)
            for argument in e.arguments { resolve(argument.value) }
        case .arrayLiteral(let e):
            for element in e.elements { resolve(element) }
        case .dictionaryLiteral(let e):
            for entry in e.entries {
                resolve(entry.key)
                resolve(entry.value)
            }
        case .closure(let e):
            resolveFunctionBody(e.function)
        }
    }
}

/// The method names that mutate a value-type receiver and so write it back to its variable.
enum MutatingMethods {
    static let names: Set<String> = [
        "append", "insert", "remove", "removeLast", "removeFirst", "removeAll", "sort", "reverse", "shuffle",
        "removeValue", "popLast", "updateValue", "merge",
    ]
}
