/// CaptureScanner: finds the names that nested functions and closures mention, so the resolver
/// can box exactly those locals (the rest live in plain frame slots, which are faster).
///
/// It over-approximates by name, which is safe: boxing a variable that is not captured only
/// costs a little speed.
enum CaptureScanner {
    static func namesUsedInNestedFunctions(_ statements: [Stmt]) -> Set<String> {
        var names: Set<String> = []
        for statement in statements { scan(statement, nested: false, into: &names) }
        return names
    }

    private static func scan(_ statement: Stmt, nested: Bool, into names: inout Set<String>) {
        switch statement.node {
        case .expression(let s): scan(s.expression, nested: nested, into: &names)
        case .assignment(let s):
            scan(s.target, nested: nested, into: &names)
            scan(s.value, nested: nested, into: &names)
        case .variableDeclaration(let s): scan(s.initializer, nested: nested, into: &names)
        case .destructuring(let s): scan(s.initializer, nested: nested, into: &names)
        case .functionDeclaration(let s):
            if !nested { names.insert(s.name) }  // a local function that recurses captures itself
            scanFunction(s, into: &names)
        case .ifStatement(let s):
            for condition in s.conditions { scan(condition, nested: nested, into: &names) }
            scan(s.thenBranch, nested: nested, into: &names)
            if let e = s.elseBranch { scan(e, nested: nested, into: &names) }
        case .guardStatement(let s):
            for condition in s.conditions { scan(condition, nested: nested, into: &names) }
            scan(s.elseBranch, nested: nested, into: &names)
        case .forLoop(let s):
            scan(s.sequence, nested: nested, into: &names)
            scan(s.body, nested: nested, into: &names)
        case .whileLoop(let s):
            scan(s.condition, nested: nested, into: &names)
            scan(s.body, nested: nested, into: &names)
        case .block(let s):
            for inner in s.statements { scan(inner, nested: nested, into: &names) }
        case .returnStatement(let s):
            if let value = s.value { scan(value, nested: nested, into: &names) }
        case .breakStatement, .continueStatement:  // nothing to scan
            break
        }
    }

    private static func scan(_ condition: Condition, nested: Bool, into names: inout Set<String>) {
        switch condition {
        case .expression(let e): scan(e, nested: nested, into: &names)
        case .binding(let decl): scan(decl.initializer, nested: nested, into: &names)
        }
    }

    private static func scanFunction(_ function: FunctionDecl, into names: inout Set<String>) {
        for parameter in function.parameters {
            if let value = parameter.defaultValue { scan(value, nested: true, into: &names) }
        }
        for statement in function.body { scan(statement, nested: true, into: &names) }
    }

    private static func scan(_ expression: Expr, nested: Bool, into names: inout Set<String>) {
        ExpressionWalker.visit(expression) { node in
            switch node {
            case let v as VariableExpr:
                if nested { names.insert(v.name) }
                return true
            case let c as ClosureExpr:
                scanFunction(c.function, into: &names)
                return false
            default:
                return true
            }
        }
    }
}

/// Finds the `$0`, `$1` … a closure uses directly (not inside a nested closure).
enum DollarScanner {
    static func parameterCount(_ body: [Stmt], diagnostics: inout [Diagnostic]) -> Int {
        var count = 0
        var nestedDollarSpans: [SourceSpan] = []
        StatementWalker.visitExpressions(body) { expression in
            ExpressionWalker.visit(expression) { node in
                if let d = node as? DollarExpr { count = max(count, d.index + 1) }
                if let c = node as? ClosureExpr {
                    if c.function.parameters.isEmpty, let span = firstUse(c.function.body) {
                        nestedDollarSpans.append(span)
                    }
                    return false
                }
                return true
            }
        }
        if count > 0 {
            for span in nestedDollarSpans {
                diagnostics.append(
                    Diagnostic(
                        .syntax, "anonymous closure arguments cannot be used inside another closure that uses them",
                        at: span, notes: [Diagnostic.Note("name the outer closure's parameters: { x in … }")]))
            }
        }
        return count
    }

    /// The first `$n` in a body, at any depth.
    static func firstUse(_ body: [Stmt]) -> SourceSpan? {
        var found: SourceSpan?
        StatementWalker.visitExpressions(body) { expression in
            ExpressionWalker.visit(expression) { node in
                if found == nil, let d = node as? DollarExpr { found = d.span }
                if let c = node as? ClosureExpr, !c.function.parameters.isEmpty { return false }
                if let c = node as? ClosureExpr, c.function.parameters.isEmpty {
                    if let inner = firstUse(c.function.body), found == nil { found = inner }
                    return false
                }
                return true
            }
        }
        return found
    }
}

/// Visits an expression tree depth-first; the visitor returns false to skip a node's children.
enum ExpressionWalker {
    static func visit(_ expression: Expr, _ visitor: (Expr) -> Bool) {
        guard visitor(expression) else { return }
        switch expression.node {
        case .interpolatedString(let e):
            for case .expression(let part) in e.parts { visit(part, visitor) }
        case .implicitMember(let e):
            for argument in e.arguments ?? [] { visit(argument.value, visitor) }
        case .unary(let e): visit(e.operand, visitor)
        case .binary(let e):
            visit(e.left, visitor)
            visit(e.right, visitor)
        case .ternary(let e):
            visit(e.condition, visitor)
            visit(e.thenBranch, visitor)
            visit(e.elseBranch, visitor)
        case .member(let e): visit(e.object, visitor)
        case .subscriptAccess(let e):
            visit(e.object, visitor)
            for argument in e.arguments { visit(argument.value, visitor) }
        case .call(let e):
            visit(e.callee, visitor)
            for argument in e.arguments { visit(argument.value, visitor) }
        case .arrayLiteral(let e):
            for element in e.elements { visit(element, visitor) }
        case .dictionaryLiteral(let e):
            for entry in e.entries {
                visit(entry.key, visitor)
                visit(entry.value, visitor)
            }
        case .closure(let e):
            StatementWalker.visitExpressions(e.function.body) { visit($0, visitor) }
        case .literal, .variable, .dollar, .operatorFunction:  // leaves
            break
        }
    }
}

/// Visits the top-level expressions of statements (not descending into nested function bodies).
enum StatementWalker {
    static func visitExpressions(_ statements: [Stmt], _ visitor: (Expr) -> Void) {
        for statement in statements { visit(statement, visitor) }
    }

    private static func visit(_ statement: Stmt, _ visitor: (Expr) -> Void) {
        switch statement.node {
        case .expression(let s): visitor(s.expression)
        case .assignment(let s):
            visitor(s.target)
            visitor(s.value)
        case .variableDeclaration(let s): visitor(s.initializer)
        case .destructuring(let s): visitor(s.initializer)
        case .ifStatement(let s):
            for condition in s.conditions {
                switch condition {
                case .expression(let e): visitor(e)
                case .binding(let d): visitor(d.initializer)
                }
            }
            visit(s.thenBranch, visitor)
            if let e = s.elseBranch { visit(e, visitor) }
        case .guardStatement(let s):
            for condition in s.conditions {
                switch condition {
                case .expression(let e): visitor(e)
                case .binding(let d): visitor(d.initializer)
                }
            }
            visit(s.elseBranch, visitor)
        case .forLoop(let s):
            visitor(s.sequence)
            visit(s.body, visitor)
        case .whileLoop(let s):
            visitor(s.condition)
            visit(s.body, visitor)
        case .block(let s): visitExpressions(s.statements, visitor)
        case .returnStatement(let s): if let v = s.value { visitor(v) }
        case .functionDeclaration, .breakStatement, .continueStatement:  // no expressions of their own here
            break
        }
    }
}
