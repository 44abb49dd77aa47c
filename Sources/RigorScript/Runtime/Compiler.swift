import OrderedCollections

/// Compiler: turns the resolved AST into nested Swift closures ("closure compilation"), which run
/// much faster than walking the tree, with the same spans for errors.
///
/// Every `Evaluate` closure computes a value from a frame; every `Execute` closure runs a
/// statement and reports how it finished (`Flow`).
final class Compiler {
    typealias Evaluate = CompiledFunction.Evaluate
    typealias Execute = CompiledFunction.Execute

    unowned let context: CallContext
    /// The function being compiled (for `return` type checks).
    private var function: FunctionDecl?
    /// Captured variables whose box their block creates on entry (see `compileBlock`): their declaration
    /// stores into that box instead of making a new one.
    private var boxedOnBlockEntry: Set<Int> = []

    init(context: CallContext) {
        self.context = context
    }

    // MARK: - Cells and functions

    /// Compiles a resolved cell. Running it returns the value of its last expression statement
    /// (unless that ends in `;`).
    func compileCell(_ cell: FunctionDecl) -> (frameShape: (slots: Int, cells: Int), run: (Frame) throws -> Value?) {
        function = nil
        var statements = cell.body
        var last: Evaluate?
        if let final = statements.last as? ExpressionStmt, !final.hasSemicolon {
            statements.removeLast()
            last = compile(final.expression)
        }
        let body = compileBlock(statements, hoisting: cell.body.compactMap { $0 as? FunctionDecl })
        return (
            (cell.slotCount, cell.cellCount),
            { frame in
                _ = try body(frame)
                return try last?(frame)
            }
        )
    }

    func compileFunction(_ declaration: FunctionDecl) -> CompiledFunction {
        let saved = function
        function = declaration
        defer { function = saved }
        let defaults = declaration.parameters.map { $0.defaultValue.map(compile) }
        if declaration.body.count == 1, let only = declaration.body[0] as? ExpressionStmt {
            let isLeaf =
                declaration.captures.isEmpty && declaration.cellCount == 0 && Compiler.callsNothing(only.expression)
            return CompiledFunction(
                declaration: declaration, defaults: defaults, singleExpression: compile(only.expression),
                isLeaf: isLeaf)
        }
        return CompiledFunction(declaration: declaration, defaults: defaults, checkedBody: compileBody(declaration))
    }

    // MARK: - Function bodies

    /// Whether evaluating an expression can call no function, script or builtin (literals, variables,
    /// `$0`, arithmetic, comparisons, `&&`, `||`, `??` and ternaries over them): a function whose body
    /// is such an expression is a leaf, which `PreparedCall` calls without the nesting machinery.
    static func callsNothing(_ expression: Expr) -> Bool {
        switch expression.node {
        case .literal(let e):
            switch e.value {
            case .int, .double, .bool, .nil, .string: return true
            default: return false
            }
        case .variable, .dollar: return true
        case .unary(let e): return callsNothing(e.operand)
        case .binary(let e):
            switch e.op {
            case .plus, .minus, .star, .slash, .percent, .less, .lessEqual, .greater, .greaterEqual, .equalEqual,
                .bangEqual, .ampAmp, .pipePipe, .questionQuestion:
                return callsNothing(e.left) && callsNothing(e.right)
            default: return false
            }
        case .ternary(let e):
            return callsNothing(e.condition) && callsNothing(e.thenBranch) && callsNothing(e.elseBranch)
        case .interpolatedString, .implicitMember, .operatorFunction, .member, .subscriptAccess, .call, .arrayLiteral,
            .dictionaryLiteral, .closure:
            return false
        }
    }

    /// A block body as one closure that gives the function's result: `return` statements in tail position
    /// become the closure's value and an `if` whose branch returns chooses between two such closures, so
    /// `if n < 2 { return n }; return fib(n - 1) + fib(n - 2)` is one `if` over two values, without
    /// statement closures, a stored return value or a `Flow` to pass back. Anything else runs as
    /// statements, and a `return` inside them passes its value through the frame as before.
    private func compileBody(_ declaration: FunctionDecl) -> Evaluate {
        let fallOff = fallOffResult(declaration)
        let functions = declaration.body.compactMap { $0 as? FunctionDecl }
        if !functions.isEmpty {
            // Functions are created when the block starts: the whole block runs as statements.
            let block = compileBlock(declaration.body, hoisting: functions)
            return { frame in
                if case .returnFromFunction = try block(frame) { return frame.takeReturnValue() }
                return try fallOff(frame)
            }
        }
        return compileTail(declaration.body[...], fallOff: fallOff)
    }

    /// What falling off the end of a body gives: nil, or the "missing return" error when the declared
    /// return type does not take nil.
    private func fallOffResult(_ declaration: FunctionDecl) -> Evaluate {
        guard let returnType = declaration.returnType, TypeCheck(returnType).kind != .any else { return { _ in .nil } }
        let registry = context.registry
        return { _ in try CompiledFunction.convertReturn(.nil, of: declaration, registry: registry) }
    }

    /// Whether a block ends in `return` (so an `if` with it as its branch never falls through).
    private static func endsInReturn(_ statements: [Stmt]) -> Bool {
        statements.last is ReturnStmt
    }

    private static func isTail(_ statement: Stmt) -> Bool {
        if statement is ReturnStmt { return true }
        if let s = statement as? IfStmt { return endsInReturn(s.thenBranch.statements) }
        return false
    }

    /// Statements that end a function body, as one closure giving the result. Either a whole block
    /// (a branch) or the rest of a body or branch without `func` declarations (those are hoisted to
    /// the start of their block, so a block with one runs whole, as statements).
    private func compileTail(_ statements: ArraySlice<Stmt>, fallOff: @escaping Evaluate) -> Evaluate {
        guard let first = statements.first else { return fallOff }
        let functions = statements.compactMap { $0 as? FunctionDecl }
        if !functions.isEmpty {
            let block = compileBlock(Array(statements), hoisting: functions)
            return { frame in
                if case .returnFromFunction = try block(frame) { return frame.takeReturnValue() }
                return try fallOff(frame)
            }
        }
        if let s = first as? ReturnStmt {
            // Statements after a `return` never run.
            return compileReturnValue(s)
        }
        if let s = first as? IfStmt, Compiler.endsInReturn(s.thenBranch.statements) {
            let thenValue = compileTail(s.thenBranch.statements[...], fallOff: fallOff)
            let otherwise: ArraySlice<Stmt>
            if let elseBlock = s.elseBranch as? BlockStmt, !elseBlock.statements.contains(where: { $0 is FunctionDecl })
            {
                // The else branch and what follows the `if` run in sequence.
                otherwise = (elseBlock.statements + statements.dropFirst())[...]
            } else if let elseStatement = s.elseBranch {
                otherwise = ([elseStatement] + statements.dropFirst())[...]
            } else {
                otherwise = statements.dropFirst()
            }
            if s.conditions.count == 1, case .expression(let expression) = s.conditions[0],
                let test = IntConstantTest(expression), s.thenBranch.statements.count == 1,
                let thenReturn = s.thenBranch.statements[0] as? ReturnStmt, let thenExpression = thenReturn.value,
                let elseReturn = otherwise.first as? ReturnStmt, let elseExpression = elseReturn.value
            {
                return compileIfReturn(test, thenExpression, elseExpression)
            }
            let elseValue = compileTail(otherwise, fallOff: fallOff)
            if s.conditions.count == 1, case .expression(let expression) = s.conditions[0],
                let test = IntConstantTest(expression)
            {
                return { frame in try test.evaluate(frame) ? thenValue(frame) : elseValue(frame) }
            }
            let condition = compileConditions(s.conditions)
            return { frame in try condition(frame) ? thenValue(frame) : elseValue(frame) }
        }
        // Leading statements that are not in tail position run as a block.
        var end = statements.startIndex
        while end < statements.endIndex, !Compiler.isTail(statements[end]) { end += 1 }
        let prefix = compileBlock(Array(statements[..<end]), hoisting: [])
        let rest = compileTail(statements[end...], fallOff: fallOff)
        return { frame in
            if case .returnFromFunction = try prefix(frame) { return frame.takeReturnValue() }
            return try rest(frame)
        }
    }

    /// `if n < 2 { return a }; return b` ending a body, the shape of a recursive function's base case:
    /// one closure tests, evaluates the chosen value (a local read in place) and converts it to the
    /// declared return type, with the error at that value.
    private func compileIfReturn(_ test: IntConstantTest, _ thenExpression: Expr, _ elseExpression: Expr) -> Evaluate {
        // One object holds what the closure needs, so the closure's context is that object alone (a closure
        // capturing all of it goes through a forwarder that copies every capture on each call).
        let node = IfReturn(
            test: test, thenValue: operand(thenExpression), elseValue: operand(elseExpression),
            returnType: function?.returnType ?? .named("Any"), thenSpan: thenExpression.span,
            elseSpan: elseExpression.span, registry: context.registry)
        return { frame in try node.evaluate(frame) }
    }

    /// The value of `return x` in tail position, converted to the declared return type.
    private func compileReturnValue(_ s: ReturnStmt) -> Evaluate {
        guard let valueExpression = s.value else { return { _ in .nil } }
        let slot = Compiler.localSlot(of: valueExpression)
        guard let returnType = function?.returnType else {
            if let slot { return { frame in frame.slots[slot] } }
            return compile(valueExpression)
        }
        let registry = context.registry
        let span = valueExpression.span
        let check = TypeCheck(returnType)
        let kind = check.kind
        if let slot {
            return { frame in
                let result = frame.slots[slot]
                if TypeCheck.accepts(kind, result) { return result }
                return try Compiler.convertReturned(result, check, returnType, span: span, registry: registry)
            }
        }
        let value = compile(valueExpression)
        return { frame in
            let result = try value(frame)
            if TypeCheck.accepts(kind, result) { return result }
            return try Compiler.convertReturned(result, check, returnType, span: span, registry: registry)
        }
    }

    /// A returned value converted to the return type, or the error at the returned expression.
    @inline(never)
    static func convertReturned(
        _ result: Value, _ check: TypeCheck, _ returnType: TypeAnnotation, span: SourceSpan,
        registry: BuiltinRegistry
    ) throws -> Value {
        guard let converted = check.apply(result, registry: registry) else {
            throw ScriptError(
                .type,
                "cannot convert return expression of type '\(result.typeName)' to return type '\(returnType)'",
                at: span)
        }
        return converted
    }

    /// The closure that creates a function value, capturing the boxes it needs from `frame`.
    private func makeFunction(_ declaration: FunctionDecl) -> (Frame) -> ScriptFunction {
        let code = compileFunction(declaration)
        let captures = declaration.captures
        if captures.isEmpty {
            return { _ in ScriptFunction(declaration: declaration, code: code, captures: []) }
        }
        return { frame in
            let boxes = captures.map { source -> Box in
                switch source {
                case .cell(let index): return frame.cells[index]
                case .capture(let index): return frame.captures[index]
                }
            }
            return ScriptFunction(declaration: declaration, code: code, captures: boxes)
        }
    }

    // MARK: - Statements

    private func compileBlock(_ statements: [Stmt], hoisting functions: [FunctionDecl]) -> Execute {
        // `func` declarations are created when the block starts, so they are visible throughout. A captured
        // variable declared in the same block gets its box first, on block entry (fresh on every entry, so each
        // loop iteration still has its own); the function captures that box and the declaration fills it.
        // (Were the declaration to make the box, the function would keep an earlier, empty one.)
        var steps: [Execute] = []
        if !functions.isEmpty {
            let cells = Self.capturedDeclarations(in: statements)
            if !cells.isEmpty {
                boxedOnBlockEntry.formUnion(cells)
                steps.append { frame in
                    for index in cells { frame.cells[index] = Box(.nil) }
                    return .next
                }
            }
        }
        steps += functions.map { declaration in
            let make = makeFunction(declaration)
            var store = storeDeclaration(
                declaration.location, span: declaration.nameSpan, isConstant: true, function: declaration)
            if case .cell(let index) = declaration.location {
                // A local function that calls itself captured its own box: fill that box.
                store = { frame, value in frame.cells[index].value = value }
            }
            return { frame in
                try store(frame, .function(make(frame)))
                return .next
            }
        }
        let body = statements.filter { !($0 is FunctionDecl) }
        // Closures taken out of an array are called through a reabstraction thunk; the common
        // short blocks are therefore built without one.
        if steps.isEmpty {
            switch body.count {
            case 0: return { _ in .next }
            case 1: return compile(body[0])
            case 2:
                let a = compile(body[0])
                let b = compile(body[1])
                return { frame in
                    let flow = try a(frame)
                    if case .next = flow { return try b(frame) }
                    return flow
                }
            default: break
            }
        }
        for statement in body { steps.append(compile(statement)) }
        return { frame in
            for step in steps {
                let flow = try step(frame)
                if case .next = flow { continue }
                return flow
            }
            return .next
        }
    }

    /// How a declaration stores its value.
    private func storeDeclaration(
        _ location: DeclarationLocation, span: SourceSpan, isConstant: Bool, function: FunctionDecl? = nil
    ) -> (Frame, Value) throws -> Void {
        switch location {
        case .local(let slot): return { frame, value in frame.slots[slot] = value }
        case .cell(let index):
            if boxedOnBlockEntry.contains(index) { return { frame, value in frame.cells[index].value = value } }
            return { frame, value in frame.cells[index] = Box(value) }
        case .global(let cell):
            return { _, value in
                cell.value = value
                cell.isDefined = true
                cell.isConstant = isConstant
                cell.isBuiltin = false
                cell.declarationSpan = span
                cell.function = function
            }
        case .unresolved: return { _, _ in }
        }
    }

    private func compile(_ statement: Stmt) -> Execute {
        switch statement.node {
        case .expression(let s):
            let expression = compile(s.expression)
            return { frame in
                Value.discard(try expression(frame))
                return .next
            }
        case .assignment(let s):
            return compileAssignment(s)
        case .variableDeclaration(let s):
            let initializer = compile(s.initializer)
            let store = storeDeclaration(s.location, span: s.nameSpan, isConstant: s.isConstant)
            guard let type = s.type else {
                return { frame in
                    try store(frame, initializer(frame))
                    return .next
                }
            }
            let registry = context.registry
            let span = s.initializer.span
            return { frame in
                let value = try initializer(frame)
                guard let converted = Conversions.convert(value, to: type, registry: registry) else {
                    throw ScriptError(
                        .type, "cannot convert value of type '\(value.typeName)' to specified type '\(type)'", at: span)
                }
                try store(frame, converted)
                return .next
            }
        case .destructuring(let s):
            return compileDestructuring(s)
        case .ifStatement(let s):
            return compileIf(s)
        case .guardStatement(let s):
            let condition = compileConditions(s.conditions)
            let elseBranch = compileBlock(s.elseBranch.statements, hoisting: hoisted(s.elseBranch))
            return { frame in
                if try condition(frame) { return .next }
                return try elseBranch(frame)
            }
        case .forLoop(let s):
            return compileFor(s)
        case .whileLoop(let s):
            let condition = compile(s.condition)
            let body = compileBlock(s.body.statements, hoisting: hoisted(s.body))
            let span = s.condition.span
            let interrupt = context.interrupt
            return { frame in
                while true {
                    if interrupt.isRequested { throw ScriptError(.interrupted, "execution interrupted", at: span) }
                    guard try Operators.condition(condition(frame), at: span) else { return .next }
                    switch try body(frame) {
                    case .next, .continueLoop: continue
                    case .breakLoop: return .next
                    case .returnFromFunction: return .returnFromFunction
                    }
                }
            }
        case .block(let s):
            return compileBlock(s.statements, hoisting: hoisted(s))
        case .returnStatement(let s):
            guard let valueExpression = s.value else {
                return { frame in
                    frame.returnValue = .nil
                    return .returnFromFunction
                }
            }
            // `return n`: a local is read in place instead of through a closure.
            let slot = Compiler.localSlot(of: valueExpression)
            let value = slot == nil ? compile(valueExpression) : { _ in .nil }
            if let returnType = function?.returnType {
                let registry = context.registry
                let span = valueExpression.span
                let check = TypeCheck(returnType)
                let kind = check.kind
                return { frame in
                    let result = try slot.map { frame.slots[$0] } ?? value(frame)
                    if TypeCheck.accepts(kind, result) {
                        frame.returnValue = result
                        return .returnFromFunction
                    }
                    guard let converted = check.apply(result, registry: registry) else {
                        throw ScriptError(
                            .type,
                            "cannot convert return expression of type '\(result.typeName)' to return type '\(returnType)'",
                            at: span)
                    }
                    frame.returnValue = converted
                    return .returnFromFunction
                }
            }
            if let slot {
                return { frame in
                    frame.returnValue = frame.slots[slot]
                    return .returnFromFunction
                }
            }
            return { frame in
                frame.returnValue = try value(frame)
                return .returnFromFunction
            }
        case .breakStatement:
            return { _ in .breakLoop }
        case .continueStatement:
            return { _ in .continueLoop }
        case .functionDeclaration:
            return { _ in .next }  // hoisted to the start of its block
        }
    }

    private func compileDestructuring(_ s: DestructuringDecl) -> Execute {
        let initializer = compile(s.initializer)
        let stores = s.variables.map { variable in
            storeDeclaration(variable.location, span: variable.nameSpan, isConstant: variable.isConstant)
        }
        let count = stores.count
        let span = s.initializer.span
        return { frame in
            let value = try initializer(frame)
            guard case .array(let parts) = value, parts.count == count else {
                let what = value.arrayValue.map { "an array of \($0.count)" } ?? "a value of type '\(value.typeName)'"
                throw ScriptError(
                    .type, "cannot destructure \(what) into \(count) names", at: span,
                    notes: [Diagnostic.Note("the value must be an array of \(count), as zip() and enumerated() give")])
            }
            for (store, part) in zip(stores, parts) { try store(frame, part) }
            return .next
        }
    }

    /// The cell indices of the captured variables declared directly in a block (`var`/`let` and `guard let`).
    private static func capturedDeclarations(in statements: [Stmt]) -> [Int] {
        var cells: [Int] = []
        for statement in statements {
            if let declaration = statement as? VariableDecl, case .cell(let index) = declaration.location {
                cells.append(index)
            } else if let pattern = statement as? DestructuringDecl {
                for case .cell(let index) in pattern.variables.map(\.location) { cells.append(index) }
            } else if let guardStatement = statement as? GuardStmt {
                for case .binding(let declaration) in guardStatement.conditions {
                    if case .cell(let index) = declaration.location { cells.append(index) }
                }
            }
        }
        return cells
    }

    private func hoisted(_ block: BlockStmt) -> [FunctionDecl] {
        block.statements.compactMap { $0 as? FunctionDecl }
    }

    private func compileIf(_ s: IfStmt) -> Execute {
        let thenBranch = compileBlock(s.thenBranch.statements, hoisting: hoisted(s.thenBranch))
        if s.conditions.count == 1, case .expression(let expression) = s.conditions[0],
            let test = IntConstantTest(expression)
        {
            // `if n < 2 { … }`: the comparison is made here, not in a condition closure.
            guard let elseStatement = s.elseBranch else {
                return { frame in try test.evaluate(frame) ? thenBranch(frame) : .next }
            }
            let elseBranch = compile(elseStatement)
            return { frame in try test.evaluate(frame) ? thenBranch(frame) : elseBranch(frame) }
        }
        let condition = compileConditions(s.conditions)
        guard let elseStatement = s.elseBranch else {
            return { frame in try condition(frame) ? thenBranch(frame) : .next }
        }
        let elseBranch = compile(elseStatement)
        return { frame in try condition(frame) ? thenBranch(frame) : elseBranch(frame) }
    }

    /// A condition list: every expression must be true and every `let` binding non-nil.
    private func compileConditions(_ conditions: [Condition]) -> (Frame) throws -> Bool {
        if conditions.count == 1 { return compileCondition(conditions[0]) }
        let tests = conditions.map(compileCondition)
        return { frame in
            for test in tests where !(try test(frame)) { return false }
            return true
        }
    }

    private func compileCondition(_ condition: Condition) -> (Frame) throws -> Bool {
        switch condition {
        case .expression(let expression):
            if let test = compileIntConstantComparison(expression) { return test }
            let value = compile(expression)
            let span = expression.span
            return { frame in
                let result = try value(frame)
                if case .bool(let b) = result { return b }
                return try Operators.condition(result, at: span)
            }
        case .binding(let declaration):
            let value = compile(declaration.initializer)
            let store = storeDeclaration(
                declaration.location, span: declaration.nameSpan, isConstant: declaration.isConstant)
            return { frame in
                let result = try value(frame)
                if result.isNil { return false }
                try store(frame, result)
                return true
            }
        }
    }

    private func compileFor(_ s: ForStmt) -> Execute {
        let sequence = compile(s.sequence)
        // A body of one expression statement (`xs.append(i)`) is called as the expression itself: no
        // statement closure around it and no `Flow` to test.
        // (Both are plain constants: calling an optional closure would retain and release its context.)
        let singleExpression = s.body.statements.count == 1 ? s.body.statements[0] as? ExpressionStmt : nil
        let isSingleExpression = singleExpression != nil
        let expression: Evaluate = singleExpression.map { compile($0.expression) } ?? { _ in .nil }
        let body = isSingleExpression ? { _ in .next } : compileBlock(s.body.statements, hoisting: hoisted(s.body))
        let stores = s.variables.map { variable in
            storeDeclaration(variable.location, span: variable.nameSpan, isConstant: true)
        }
        let span = s.sequence.span
        let interrupt = context.interrupt
        let context = self.context
        let isPattern = s.isPattern
        let patternCount = s.variables.count

        @inline(__always)
        func run(_ frame: Frame) throws -> Flow? {
            if interrupt.isRequested { throw ScriptError(.interrupted, "execution interrupted", at: span) }
            if isSingleExpression {
                Value.discard(try expression(frame))
                return nil
            }
            switch try body(frame) {
            case .next, .continueLoop: return nil
            case .breakLoop: return .next
            case .returnFromFunction: return .returnFromFunction
            }
        }

        /// The elements of a sequence that is not a range, with errors at the sequence.
        func elements(of values: Value) throws -> [Value] {
            do { return try Members.elements(of: values, context: context) } catch let error as BuiltinError {
                throw ScriptError(builtin: error, at: span)
            }
        }

        if !isPattern, case .local(let slot) = s.variables[0].location {
            // The common case, a loop variable in a plain slot: no per-element closure call.
            return { frame in
                let values = try sequence(frame)
                if case .range(let range) = values {
                    for i in range.indices {
                        (frame.slots + slot).storeValue(.int(i))
                        if let flow = try run(frame) { return flow }
                    }
                    return .next
                }
                for element in try elements(of: values) {
                    frame.slots[slot] = element
                    if let flow = try run(frame) { return flow }
                }
                return .next
            }
        }
        let store = stores[0]
        if !isPattern, case .global(let cell) = s.variables[0].location {
            // A loop at the top level of a cell: its variable is a session global. The declaration is stored
            // once (defined, constant, its span); later iterations only replace the value.
            return { frame in
                let values = try sequence(frame)
                if case .range(let range) = values {
                    var isFirst = true
                    for i in range.indices {
                        if isFirst {
                            try store(frame, .int(i))
                            isFirst = false
                        } else {
                            Value.store(int: i, into: &cell.value)
                        }
                        if let flow = try run(frame) { return flow }
                    }
                    return .next
                }
                for element in try elements(of: values) {
                    try store(frame, element)
                    if let flow = try run(frame) { return flow }
                }
                return .next
            }
        }
        return { frame in
            /// Binds one element (to `_`, a captured variable, or a pattern) and runs the body.
            func visit(_ element: Value) throws -> Flow? {
                if isPattern {
                    guard case .array(let parts) = element, parts.count == patternCount else {
                        throw ScriptError(
                            .type,
                            "cannot destructure a value of type '\(element.typeName)' into \(patternCount) loop variables",
                            at: span,
                            notes: [
                                Diagnostic.Note(
                                    "each element must be an array of \(patternCount) values, as enumerated() and zip() give"
                                )
                            ])
                    }
                    for (index, part) in parts.enumerated() { try stores[index](frame, part) }
                } else {
                    try store(frame, element)
                }
                return try run(frame)
            }
            let values = try sequence(frame)
            if case .range(let range) = values {
                // A range is counted, never made into an array (`for _ in 0..<1_000_000_000`).
                for i in range.indices {
                    if let flow = try visit(.int(i)) { return flow }
                }
                return .next
            }
            for element in try elements(of: values) {
                if let flow = try visit(element) { return flow }
            }
            return .next
        }
    }

    // MARK: - Assignment

    /// A place that can be read and modified in place: a variable, a subscript, an object property.
    struct Place {
        let get: Evaluate
        /// Runs `body` on the stored value; the value is moved out first (so it stays uniquely
        /// referenced and copy-on-write does not copy) and written back afterwards.
        let modify: (Frame, (inout Value) throws -> Void) throws -> Void
    }

    func place(_ expression: Expr) -> Place? {
        switch expression {
        case let v as VariableExpr:
            return variablePlace(v.location, name: v.name, span: v.span)
        case let d as DollarExpr:
            return variablePlace(d.location, name: "$\(d.index)", span: d.span)
        case let s as SubscriptExpr:
            guard let base = place(s.object) else { return nil }
            var indices = s.arguments.map { compile($0.value) }
            let fallback = s.arguments.count == 2 && s.arguments[1].label == "default" ? indices.removeLast() : nil
            let context = self.context
            let span = s.span
            if indices.count == 1 {
                // One index, the common case: no array of keys per write.
                let index = indices[0]
                return Place(
                    get: compile(s),
                    modify: { frame, body in
                        let key = try index(frame)
                        let defaultValue = try fallback?(frame)
                        try base.modify(frame) { container in
                            do {
                                try Members.subscriptModify(
                                    &container, key: key, default: defaultValue, context: context, body)
                            } catch let error as BuiltinError {
                                throw ScriptError(builtin: error, at: span)
                            }
                        }
                    })
            }
            return Place(
                get: compile(s),
                modify: { frame, body in
                    let keys = try indices.map { try $0(frame) }
                    try base.modify(frame) { container in
                        do {
                            try Members.subscriptModify(&container, keys, context: context, body)
                        } catch let error as BuiltinError {
                            throw ScriptError(builtin: error, at: span)
                        }
                    }
                })
        default:
            return nil
        }
    }

    private func variablePlace(_ location: VariableLocation, name: String, span: SourceSpan) -> Place {
        switch location {
        case .local(let slot):
            return Place(
                get: { frame in frame.slots[slot] },
                modify: { frame, body in
                    var value = frame.slots[slot]
                    frame.slots[slot] = .nil
                    defer { frame.slots[slot] = value }
                    try body(&value)
                })
        case .cell(let index):
            return Place(
                get: { frame in frame.cells[index].value },
                modify: { frame, body in
                    let box = frame.cells[index]
                    var value = box.value
                    box.value = .nil
                    defer { box.value = value }
                    try body(&value)
                })
        case .capture(let index):
            return Place(
                get: { frame in frame.captures[index].value },
                modify: { frame, body in
                    let box = frame.captures[index]
                    var value = box.value
                    box.value = .nil
                    defer { box.value = value }
                    try body(&value)
                })
        case .global(let cell):
            let get = globalRead(cell, span: span)
            let globals = context.globals
            return Place(
                get: get,
                modify: { frame, body in
                    guard cell.isDefined || globals.loadBuiltins() && cell.isDefined else {
                        throw Compiler.undefined(cell.name, at: span, globals: globals)
                    }
                    if cell.isConstant && !cell.isBuiltin {
                        throw ScriptError(
                            .type, "cannot assign to value: '\(name)' is a 'let' constant", at: span,
                            notes: cell.declarationSpan.map {
                                [Diagnostic.Note("change 'let' to 'var' to make it mutable", at: $0)]
                            } ?? [])
                    }
                    var value = cell.value
                    cell.value = .nil
                    defer { cell.value = value }
                    try body(&value)
                })
        case .unresolved:
            preconditionFailure("unresolved variable \(name)")
        }
    }

    private func compileAssignment(_ s: AssignmentStmt) -> Execute {
        let value = compile(s.value)
        let opSpan = s.opSpan
        if let member = s.target as? MemberExpr {
            let object = compile(member.object)
            let name = member.name
            let context = self.context
            let nameSpan = member.nameSpan
            let op = s.op
            return { frame in
                let target = try object(frame)
                do {
                    var newValue = try value(frame)
                    if let binary = Compiler.binaryOperator(for: op) {
                        newValue = try Operators.binary(
                            binary, Members.get(target, name, context: context), newValue, at: opSpan)
                    }
                    try Members.set(target, name, to: newValue, context: context)
                } catch let error as BuiltinError {
                    throw ScriptError(builtin: error, at: nameSpan)
                }
                return .next
            }
        }
        guard let place = place(s.target) else {
            let span = s.target.span
            return { _ in throw ScriptError(.syntax, "cannot assign to this expression", at: span) }
        }
        if case .local(let slot) = (s.target as? VariableExpr)?.location, s.op == .equal {
            return { frame in
                frame.slots[slot] = try value(frame)
                return .next
            }
        }
        if let fused = compileElementWrite(s, value: value) { return fused }
        guard let binary = Compiler.binaryOperator(for: s.op) else {
            return { frame in
                let newValue = try value(frame)
                try place.modify(frame) { $0 = newValue }
                return .next
            }
        }
        let general = compileCompoundAssignment(place: place, binary: binary, opSpan: opSpan)
        if binary == .plus, let variable = s.target as? VariableExpr,
            let appended = compileInterpolationAppend(variable, s.value, general: general)
        {
            return appended
        }
        if let variable = s.target as? VariableExpr, binary != .slash {
            // `total += i * j` on a variable holding a number: computed in place, without the place's closure.
            switch variable.location {
            case .local(let slot):
                let rhs = operand(s.value, compiled: value)
                return { frame in
                    let operand = try rhs.plainValue(frame)
                    if case .int(let y) = operand, case .int(let x) = frame.slots[slot],
                        let result = Compiler.intUpdate(binary, x, y)
                    {
                        // The slot holds an Int, which needs no release: initialized over.
                        (frame.slots + slot).initialize(to: .int(result))
                        return .next
                    }
                    if let result = Compiler.numericUpdate(binary, frame.slots[slot], operand) {
                        frame.slots[slot] = result
                        return .next
                    }
                    // `text += "…"` on a local String: appended where it is stored.
                    if binary == .plus, case .string(let more) = operand,
                        frame.slots[slot].modifyString({ $0 += more }) != nil
                    {
                        return .next
                    }
                    return try general(frame, operand)
                }
            case .global(let cell):
                let rhs = operand(s.value, compiled: value)
                return { frame in
                    let operand = try rhs.plainValue(frame)
                    if cell.isDefined, !cell.isConstant,
                        let result = Compiler.numericUpdate(binary, cell.value, operand)
                    {
                        cell.value = result
                        return .next
                    }
                    if binary == .plus, cell.isDefined, !cell.isConstant, case .string(let more) = operand,
                        cell.value.modifyString({ $0 += more }) != nil
                    {
                        return .next
                    }
                    return try general(frame, operand)
                }
            default: break
            }
        }
        return { frame in try general(frame, value(frame)) }
    }

    /// `text += "item \(i) is \(i * 2); "` on a local or global variable holding a String: the interpolation's
    /// text is appended where the string is stored, without a temporary String (`ShortInterpolation.appendText`).
    /// The pieces are evaluated first, as the general path evaluates the operand before it reads the target;
    /// a target that holds no String (or a global that is undefined or a constant) goes the general way.
    private func compileInterpolationAppend(
        _ variable: VariableExpr, _ value: Expr, general: @escaping (Frame, Value) throws -> Flow
    ) -> Execute? {
        guard let e = value as? InterpolatedStringExpr, Compiler.isShortInterpolation(e) else { return nil }
        let interpolation = shortInterpolation(e)
        switch variable.location {
        case .local(let slot):
            return { frame in
                let (a, b, c) = try interpolation.pieces(frame)
                if case .string = frame.slots[slot] {
                    _ = frame.slots[slot].modifyString { interpolation.appendText(a, b, c, to: &$0) }
                    Value.discard(a)
                    Value.discard(b)
                    Value.discard(c)
                    return .next
                }
                return try general(frame, .string(interpolation.string(a, b, c)))
            }
        case .global(let cell):
            return { frame in
                let (a, b, c) = try interpolation.pieces(frame)
                if cell.isDefined, !cell.isConstant, case .string = cell.value {
                    _ = cell.value.modifyString { interpolation.appendText(a, b, c, to: &$0) }
                    Value.discard(a)
                    Value.discard(b)
                    Value.discard(c)
                    return .next
                }
                return try general(frame, .string(interpolation.string(a, b, c)))
            }
        default:
            return nil
        }
    }

    /// `h[i] = x` and `h[i] op= x` where `h` is a local or global variable (the loops that count, bin and
    /// fill): an array element is written in place in one closure, without the chain of places. Anything
    /// else (a dictionary, an object, an index out of range, a value that is not a number for `op=`) goes
    /// the general way, with the operand and the index already evaluated (each is evaluated once).
    private func compileElementWrite(_ s: AssignmentStmt, value: @escaping Evaluate) -> Execute? {
        guard let target = s.target as? SubscriptExpr, let first = target.arguments.first, first.label == nil else {
            return nil
        }
        if target.arguments.count == 2, target.arguments[1].label == "default" {
            return compileEntryWrite(s, target: target, value: value)
        }
        guard target.arguments.count == 1 else { return nil }
        // `grid[i][j] = x`: one more level of Int index, written in place the same way.
        if let outer = target.object as? SubscriptExpr, outer.arguments.count == 1, outer.arguments[0].label == nil,
            outer.object is VariableExpr
        {
            return compileNestedElementWrite(s, outer: outer, value: value)
        }
        guard let root = target.object as? VariableExpr, let base = place(root) else { return nil }
        let binary = Compiler.binaryOperator(for: s.op)
        guard binary != .slash else { return nil }
        // The index is read in place when it is a local, a global, a literal or `local op literal`.
        let index = operand(target.arguments[0].value)
        let context = self.context
        let span = target.span
        let opSpan = s.opSpan
        let general: (Frame, Value, Value) throws -> Flow = { frame, key, operand in
            try base.modify(frame) { container in
                do {
                    try Members.subscriptModify(&container, key: key, context: context) { element in
                        try Compiler.assign(operand, to: &element, binary, at: opSpan)
                    }
                } catch let error as BuiltinError {
                    throw ScriptError(builtin: error, at: span)
                }
            }
            return .next
        }
        switch root.location {
        case .local(let slot):
            return { frame in
                let operand = try value(frame)
                let key = try index.value(frame)
                if Compiler.writeElement(&frame.slots[slot], key, operand, binary)
                    || Compiler.writeEntry(&frame.slots[slot], key, nil, operand, binary)
                {
                    return .next
                }
                return try general(frame, key, operand)
            }
        case .global(let cell):
            return { frame in
                let operand = try value(frame)
                let key = try index.value(frame)
                if cell.isDefined, !cell.isConstant,
                    Compiler.writeElement(&cell.value, key, operand, binary)
                        || Compiler.writeEntry(&cell.value, key, nil, operand, binary)
                {
                    return .next
                }
                return try general(frame, key, operand)
            }
        default:
            return nil
        }
    }

    /// `counts[key, default: 0] += 1` on a local or global dictionary: the entry is written in place in one
    /// closure (`writeEntry`); anything else goes the general way with the operand, key and default
    /// already evaluated (in that order, as the general path evaluates them).
    private func compileEntryWrite(_ s: AssignmentStmt, target: SubscriptExpr, value: @escaping Evaluate) -> Execute? {
        guard let root = target.object as? VariableExpr, let base = place(root) else { return nil }
        let binary = Compiler.binaryOperator(for: s.op)
        guard binary != .slash else { return nil }
        let index = operand(target.arguments[0].value)
        let fallback = compile(target.arguments[1].value)
        let context = self.context
        let span = target.span
        let opSpan = s.opSpan
        let general: (Frame, Value, Value, Value) throws -> Flow = { frame, key, defaultValue, operand in
            try base.modify(frame) { container in
                do {
                    try Members.subscriptModify(&container, key: key, default: defaultValue, context: context) {
                        element in
                        try Compiler.assign(operand, to: &element, binary, at: opSpan)
                    }
                } catch let error as BuiltinError {
                    throw ScriptError(builtin: error, at: span)
                }
            }
            return .next
        }
        switch root.location {
        case .local(let slot):
            return { frame in
                let operand = try value(frame)
                let key = try index.value(frame)
                let defaultValue = try fallback(frame)
                if Compiler.writeEntry(&frame.slots[slot], key, defaultValue, operand, binary) { return .next }
                return try general(frame, key, defaultValue, operand)
            }
        case .global(let cell):
            return { frame in
                let operand = try value(frame)
                let key = try index.value(frame)
                let defaultValue = try fallback(frame)
                if cell.isDefined, !cell.isConstant,
                    Compiler.writeEntry(&cell.value, key, defaultValue, operand, binary)
                {
                    return .next
                }
                return try general(frame, key, defaultValue, operand)
            }
        default:
            return nil
        }
    }

    /// Writes `operand` (or `entry op operand`) into the entry `key` of the dictionary `container` holds, in
    /// place, with one lookup: an existing entry keeps its position, a new one is appended (from `fallback`
    /// for `op`), nil removes it. False, with nothing changed, unless the container is a dictionary and, for
    /// `op`, both are numbers (the general path then decides and reports errors).
    static func writeEntry(
        _ container: inout Value, _ key: Value, _ fallback: Value?, _ operand: Value, _ op: TokenKind?
    ) -> Bool {
        // In its box, copied first if shared (see `modifyDictionary`).
        container.modifyDictionary { writeEntry(&$0, key, fallback, operand, op) } ?? false
    }

    @inline(__always)
    private static func writeEntry(
        _ dictionary: inout OrderedDictionary<Value, Value>, _ key: Value, _ fallback: Value?, _ operand: Value,
        _ op: TokenKind?
    ) -> Bool {
        guard let op else {
            if operand.isNil {
                dictionary.removeValue(forKey: key)
            } else {
                dictionary.updateValue(operand, forKey: key)
            }
            return true
        }
        let count = dictionary.count
        let updated = dictionary.updateValue(forKey: key, default: fallback ?? .nil) { entry -> Bool in
            guard let result = numericUpdate(op, entry, operand) else { return false }
            entry = result
            return true
        }
        if !updated && dictionary.count > count { dictionary.removeLast() }
        return updated
    }

    /// `grid[i][j] = x` and `grid[i][j] op= x` on a local or global variable: `compileElementWrite` one level
    /// deeper. The general way takes the evaluated indices and operand through the places.
    private func compileNestedElementWrite(
        _ s: AssignmentStmt, outer: SubscriptExpr, value: @escaping Evaluate
    )
        -> Execute?
    {
        guard let target = s.target as? SubscriptExpr, let root = outer.object as? VariableExpr,
            let base = place(root)
        else { return nil }
        let binary = Compiler.binaryOperator(for: s.op)
        guard binary != .slash else { return nil }
        // The indices are read in place when they are locals, globals, literals or `local op literal`.
        let outerIndex = operand(outer.arguments[0].value)
        let innerIndex = operand(target.arguments[0].value)
        // The value too (`i * j` of two locals is computed in place, see `Operand.plainValue`).
        let rhs = operand(s.value, compiled: value)
        let context = self.context
        let outerSpan = outer.span
        let span = target.span
        let opSpan = s.opSpan
        let general: (Frame, Value, Value, Value) throws -> Flow = { frame, first, second, operand in
            try base.modify(frame) { container in
                do {
                    try Members.subscriptModify(&container, key: first, context: context) { row in
                        do {
                            try Members.subscriptModify(&row, key: second, context: context) { element in
                                try Compiler.assign(operand, to: &element, binary, at: opSpan)
                            }
                        } catch let error as BuiltinError {
                            throw ScriptError(builtin: error, at: span)
                        }
                    }
                } catch let error as BuiltinError {
                    throw ScriptError(builtin: error, at: outerSpan)
                }
            }
            return .next
        }
        @inline(__always)
        func write(_ container: inout Value, _ first: Value, _ second: Value, _ operand: Value) -> Bool {
            guard case .int(let i) = first, case .array = container else { return false }
            return container.modifyArray { rows -> Bool in
                guard i >= 0 && i < rows.count else { return false }
                return Compiler.writeElement(&rows[i], second, operand, binary)
            } ?? false
        }
        switch root.location {
        case .local(let slot):
            return { frame in
                let operand = try rhs.plainValue(frame)
                let first = try outerIndex.value(frame)
                let second = try innerIndex.value(frame)
                if write(&frame.slots[slot], first, second, operand) { return .next }
                return try general(frame, first, second, operand)
            }
        case .global(let cell):
            return { frame in
                let operand = try rhs.plainValue(frame)
                let first = try outerIndex.value(frame)
                let second = try innerIndex.value(frame)
                if cell.isDefined, !cell.isConstant, write(&cell.value, first, second, operand) { return .next }
                return try general(frame, first, second, operand)
            }
        default:
            return nil
        }
    }

    /// `element = operand`, or `element op= operand` (numbers in place, anything else through `Operators`).
    static func assign(_ operand: Value, to element: inout Value, _ binary: TokenKind?, at opSpan: SourceSpan) throws {
        guard let binary else {
            element = operand
            return
        }
        if let result = numericUpdate(binary, element, operand) {
            element = result
        } else {
            element = try Operators.binary(binary, element, operand, at: opSpan)
        }
    }

    /// Writes `operand` (or `element op operand`) into the array element `key` of `container` in place; false
    /// (and nothing changed) unless the container is an array, the key an Int in range and, for `op`, both
    /// numbers.
    @inline(__always)
    static func writeElement(_ container: inout Value, _ key: Value, _ operand: Value, _ op: TokenKind?) -> Bool {
        guard case .int(let i) = key, case .array = container else { return false }
        return container.modifyArray { array -> Bool in
            guard i >= 0 && i < array.count else { return false }
            guard let op else {
                array[i] = operand
                return true
            }
            guard let result = numericUpdate(op, array[i], operand) else { return false }
            array[i] = result
            return true
        } ?? false
    }

    /// `x op y` for `+ - *` on two Ints; nil on overflow.
    @inline(__always)
    static func intUpdate(_ op: TokenKind, _ x: Int, _ y: Int) -> Int? {
        let (result, overflow): (Int, Bool)
        switch op {
        case .plus: (result, overflow) = x.addingReportingOverflow(y)
        case .minus: (result, overflow) = x.subtractingReportingOverflow(y)
        default: (result, overflow) = x.multipliedReportingOverflow(by: y)
        }
        return overflow ? nil : result
    }

    /// `a op b` for `+ - *` on two Ints (without overflow) or two Doubles; nil otherwise.
    @inline(__always)
    static func numericUpdate(_ op: TokenKind, _ a: Value, _ b: Value) -> Value? {
        if case .int(let x) = a, case .int(let y) = b {
            let (result, overflow): (Int, Bool)
            switch op {
            case .plus: (result, overflow) = x.addingReportingOverflow(y)
            case .minus: (result, overflow) = x.subtractingReportingOverflow(y)
            default: (result, overflow) = x.multipliedReportingOverflow(by: y)
            }
            return overflow ? nil : .int(result)
        }
        if case .double(let x) = a, case .double(let y) = b {
            switch op {
            case .plus: return .double(x + y)
            case .minus: return .double(x - y)
            default: return .double(x * y)
            }
        }
        return nil
    }

    /// `target op= operand` through the target's place: strings and arrays append in place.
    private func compileCompoundAssignment(
        place: Place, binary: TokenKind, opSpan: SourceSpan
    )
        -> (Frame, Value) throws -> Flow
    {
        let isNumeric = binary != .slash
        return { frame, operand in
            try place.modify(frame) { current in
                if isNumeric, let result = Compiler.numericUpdate(binary, current, operand) {
                    current = result
                    return
                }
                // `+=` on a string or array appends in place (the value was moved out of its
                // variable, so it is uniquely referenced): O(1) amortized instead of a copy.
                if binary == .plus, case .string(let more) = operand, current.modifyString({ $0 += more }) != nil {
                    return
                }
                if binary == .plus, case .array(let more) = operand,
                    current.modifyArray({ $0.append(contentsOf: more) }) != nil
                {
                    return
                }
                current = try Operators.binary(binary, current, operand, at: opSpan)
            }
            return .next
        }
    }

    static func binaryOperator(for assignment: TokenKind) -> TokenKind? {
        switch assignment {
        case .plusEqual: return .plus
        case .minusEqual: return .minus
        case .starEqual: return .star
        case .slashEqual: return .slash
        default: return nil
        }
    }

    // MARK: - Names

    static func undefined(_ name: String, at span: SourceSpan, globals: GlobalTable) -> ScriptError {
        var notes: [Diagnostic.Note] = []
        if let suggestion = Suggestions.closest(to: name, in: globals.definedNames) {
            notes.append(Diagnostic.Note("did you mean '\(suggestion)'?"))
        }
        return ScriptError(.name, "cannot find '\(name)' in scope", at: span, notes: notes)
    }

    func globalRead(_ cell: GlobalCell, span: SourceSpan) -> Evaluate {
        let globals = context.globals
        return { _ in
            guard cell.isDefined || globals.loadBuiltins() && cell.isDefined else {
                throw Compiler.undefined(cell.name, at: span, globals: globals)
            }
            return cell.value
        }
    }
}

extension ScriptError {
    /// A builtin's error, anchored at the user's code.
    init(builtin error: BuiltinError, at span: SourceSpan) {
        self.init(error.kind, error.message, at: span, notes: error.notes.map { Diagnostic.Note($0) })
    }
}

/// `if n < 2 { return a }; return b` ending a function body (`Compiler.compileIfReturn`).
final class IfReturn {
    let test: IntConstantTest
    let thenValue: Operand
    let elseValue: Operand
    let kind: TypeCheck.Kind
    let check: TypeCheck
    let returnType: TypeAnnotation
    let thenSpan: SourceSpan
    let elseSpan: SourceSpan
    let registry: BuiltinRegistry

    init(
        test: IntConstantTest, thenValue: Operand, elseValue: Operand, returnType: TypeAnnotation, thenSpan: SourceSpan,
        elseSpan: SourceSpan, registry: BuiltinRegistry
    ) {
        self.test = test
        self.thenValue = thenValue
        self.elseValue = elseValue
        self.check = TypeCheck(returnType)
        self.kind = check.kind
        self.returnType = returnType
        self.thenSpan = thenSpan
        self.elseSpan = elseSpan
        self.registry = registry
    }

    @inline(__always)
    func evaluate(_ frame: Frame) throws -> Value {
        if try test.evaluate(frame) {
            let result = try thenValue.value(frame)
            if TypeCheck.accepts(kind, result) { return result }
            return try Compiler.convertReturned(result, check, returnType, span: thenSpan, registry: registry)
        }
        let result = try elseValue.value(frame)
        if TypeCheck.accepts(kind, result) { return result }
        return try Compiler.convertReturned(result, check, returnType, span: elseSpan, registry: registry)
    }
}
