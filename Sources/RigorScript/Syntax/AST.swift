/// AST: the syntax tree the parser builds and the resolver annotates in place.
///
/// Nodes are classes so the resolver can record where each name lives (a slot, a captured cell,
/// a global) directly on the node, as jlox's resolver does with its side table.

// MARK: - Expressions

class Expr {
    let span: SourceSpan
    /// Which node class this is; each passes its own case (see `ExprNode`).
    let kind: ExprKind
    init(kind: ExprKind, span: SourceSpan) {
        self.kind = kind
        self.span = span
    }
}

/// A constant: integer, float, string without interpolation, Bool or nil.
final class LiteralExpr: Expr {
    let value: Value
    init(_ value: Value, span: SourceSpan) {
        self.value = value
        super.init(kind: .literal, span: span)
    }
}

/// `"loss \(value)"`.
final class InterpolatedStringExpr: Expr {
    enum Part {
        case text(String)
        case expression(Expr)
    }
    let parts: [Part]
    init(parts: [Part], span: SourceSpan) {
        self.parts = parts
        super.init(kind: .interpolatedString, span: span)
    }
}

/// Where a name lives, filled in by the resolver.
enum VariableLocation {
    case unresolved
    case local(Int)  // a frame slot
    case cell(Int)  // a boxed local of the current function (captured by a closure)
    case capture(Int)  // a boxed local of an enclosing function
    case global(GlobalCell)
}

final class VariableExpr: Expr {
    let name: String
    var location: VariableLocation = .unresolved
    init(name: String, span: SourceSpan) {
        self.name = name
        super.init(kind: .variable, span: span)
    }
}

/// `$0`, `$1`: the anonymous parameters of a closure.
final class DollarExpr: Expr {
    let index: Int
    var location: VariableLocation = .unresolved
    init(index: Int, span: SourceSpan) {
        self.index = index
        super.init(kind: .dollar, span: span)
    }
}

/// `.relu` or `.adam(learningRate: 1e-3)`.
final class ImplicitMemberExpr: Expr {
    let name: String
    let arguments: [Argument]?
    init(name: String, arguments: [Argument]?, span: SourceSpan) {
        self.name = name
        self.arguments = arguments
        super.init(kind: .implicitMember, span: span)
    }
}

/// A binary operator used as a function value: `reduce(0, +)`.
final class OperatorFunctionExpr: Expr {
    let op: TokenKind
    init(op: TokenKind, span: SourceSpan) {
        self.op = op
        super.init(kind: .operatorFunction, span: span)
    }
}

final class UnaryExpr: Expr {
    let op: TokenKind
    let operand: Expr
    init(op: TokenKind, operand: Expr, span: SourceSpan) {
        self.op = op
        self.operand = operand
        super.init(kind: .unary, span: span)
    }
}

/// Any binary operator, including `&&`, `||`, `??` and the range operators.
final class BinaryExpr: Expr {
    let op: TokenKind
    let opSpan: SourceSpan
    let left: Expr
    let right: Expr
    init(op: TokenKind, opSpan: SourceSpan, left: Expr, right: Expr) {
        self.op = op
        self.opSpan = opSpan
        self.left = left
        self.right = right
        super.init(kind: .binary, span: left.span.through(right.span))
    }
}

final class TernaryExpr: Expr {
    let condition: Expr
    let thenBranch: Expr
    let elseBranch: Expr
    init(condition: Expr, thenBranch: Expr, elseBranch: Expr) {
        self.condition = condition
        self.thenBranch = thenBranch
        self.elseBranch = elseBranch
        super.init(kind: .ternary, span: condition.span.through(elseBranch.span))
    }
}

/// `object.name` (a property, or a method when called).
final class MemberExpr: Expr {
    let object: Expr
    let name: String
    let nameSpan: SourceSpan
    init(object: Expr, name: String, nameSpan: SourceSpan) {
        self.object = object
        self.name = name
        self.nameSpan = nameSpan
        super.init(kind: .member, span: object.span.through(nameSpan))
    }
}

struct Argument {
    var label: String?
    var labelSpan: SourceSpan?
    var value: Expr
    var span: SourceSpan { labelSpan.map { $0.through(value.span) } ?? value.span }
}

final class SubscriptExpr: Expr {
    let object: Expr
    let arguments: [Argument]
    init(object: Expr, arguments: [Argument], span: SourceSpan) {
        self.object = object
        self.arguments = arguments
        super.init(kind: .subscriptAccess, span: span)
    }
}

final class CallExpr: Expr {
    let callee: Expr
    let arguments: [Argument]
    /// Whether the last argument is a trailing closure (it fills the last closure parameter).
    let hasTrailingClosure: Bool
    /// The span of `(` … `)`, for errors about the call as a whole.
    let parenSpan: SourceSpan
    init(callee: Expr, arguments: [Argument], hasTrailingClosure: Bool, parenSpan: SourceSpan, span: SourceSpan) {
        self.callee = callee
        self.arguments = arguments
        self.hasTrailingClosure = hasTrailingClosure
        self.parenSpan = parenSpan
        super.init(kind: .call, span: span)
    }
}

final class ArrayLiteralExpr: Expr {
    let elements: [Expr]
    init(elements: [Expr], span: SourceSpan) {
        self.elements = elements
        super.init(kind: .arrayLiteral, span: span)
    }
}

final class DictionaryLiteralExpr: Expr {
    let entries: [(key: Expr, value: Expr)]
    init(entries: [(key: Expr, value: Expr)], span: SourceSpan) {
        self.entries = entries
        super.init(kind: .dictionaryLiteral, span: span)
    }
}

/// `{ a, b in a + b }` or `{ $0 * 2 }`.
final class ClosureExpr: Expr {
    let function: FunctionDecl
    init(function: FunctionDecl, span: SourceSpan) {
        self.function = function
        super.init(kind: .closure, span: span)
    }
}

// MARK: - Types

/// A type annotation, checked at call boundaries: `Int`, `[Double]`, `[String: Int]`, `Tensor?`.
indirect enum TypeAnnotation: CustomStringConvertible {
    case named(String)
    case array(TypeAnnotation)
    case dictionary(TypeAnnotation, TypeAnnotation)
    case function(String)  // `(Int) -> Int`: allowed and unchecked
    case optional(TypeAnnotation)

    var description: String {
        switch self {
        case .named(let name): return name
        case .array(let element): return "[\(element)]"
        case .dictionary(let key, let value): return "[\(key): \(value)]"
        case .function(let text): return text
        case .optional(let wrapped): return "\(wrapped)?"
        }
    }

    var isFunction: Bool {
        switch self {
        case .function: return true
        case .optional(let wrapped): return wrapped.isFunction
        default: return false
        }
    }
}

/// The node classes of `Expr`, one case each, without payload: what a node passes to `Expr.init`. A new node
/// class needs a new case here, which breaks the exhaustive switch in `Expr.node` until it is added there too.
enum ExprKind {
    case literal
    case interpolatedString
    case variable
    case dollar
    case implicitMember
    case operatorFunction
    case unary
    case binary
    case ternary
    case member
    case subscriptAccess
    case call
    case arrayLiteral
    case dictionaryLiteral
    case closure
}

/// A `Expr` as its concrete class, for passes that switch over every kind of node: the switches have no
/// `default`, so a new node type is a compile error in each pass (resolver, compiler, walkers) until it is handled.
enum ExprNode {
    case literal(LiteralExpr)
    case interpolatedString(InterpolatedStringExpr)
    case variable(VariableExpr)
    case dollar(DollarExpr)
    case implicitMember(ImplicitMemberExpr)
    case operatorFunction(OperatorFunctionExpr)
    case unary(UnaryExpr)
    case binary(BinaryExpr)
    case ternary(TernaryExpr)
    case member(MemberExpr)
    case subscriptAccess(SubscriptExpr)
    case call(CallExpr)
    case arrayLiteral(ArrayLiteralExpr)
    case dictionaryLiteral(DictionaryLiteralExpr)
    case closure(ClosureExpr)
}

extension Expr {
    /// This node as its concrete class.
    var node: ExprNode {
        // Each class passes its own kind (the only initializer), so the cast cannot fail.
        switch kind {
        case .literal: .literal(self as! LiteralExpr)
        case .interpolatedString: .interpolatedString(self as! InterpolatedStringExpr)
        case .variable: .variable(self as! VariableExpr)
        case .dollar: .dollar(self as! DollarExpr)
        case .implicitMember: .implicitMember(self as! ImplicitMemberExpr)
        case .operatorFunction: .operatorFunction(self as! OperatorFunctionExpr)
        case .unary: .unary(self as! UnaryExpr)
        case .binary: .binary(self as! BinaryExpr)
        case .ternary: .ternary(self as! TernaryExpr)
        case .member: .member(self as! MemberExpr)
        case .subscriptAccess: .subscriptAccess(self as! SubscriptExpr)
        case .call: .call(self as! CallExpr)
        case .arrayLiteral: .arrayLiteral(self as! ArrayLiteralExpr)
        case .dictionaryLiteral: .dictionaryLiteral(self as! DictionaryLiteralExpr)
        case .closure: .closure(self as! ClosureExpr)
        }
    }
}

// MARK: - Statements

class Stmt {
    let span: SourceSpan
    /// Which node class this is; each passes its own case (see `StmtNode`).
    let kind: StmtKind
    init(kind: StmtKind, span: SourceSpan) {
        self.kind = kind
        self.span = span
    }
}

final class ExpressionStmt: Stmt {
    let expression: Expr
    var hasSemicolon = false
    init(expression: Expr) {
        self.expression = expression
        super.init(kind: .expression, span: expression.span)
    }
}

final class AssignmentStmt: Stmt {
    let target: Expr
    let op: TokenKind  // .equal, .plusEqual, …
    let opSpan: SourceSpan
    let value: Expr
    init(target: Expr, op: TokenKind, opSpan: SourceSpan, value: Expr) {
        self.target = target
        self.op = op
        self.opSpan = opSpan
        self.value = value
        super.init(kind: .assignment, span: target.span.through(value.span))
    }
}

/// Where a declared name is stored, filled in by the resolver.
enum DeclarationLocation {
    case unresolved
    case local(Int)
    case cell(Int)
    case global(GlobalCell)
}

final class VariableDecl: Stmt {
    let isConstant: Bool
    let name: String
    let nameSpan: SourceSpan
    let type: TypeAnnotation?
    let initializer: Expr
    var location: DeclarationLocation = .unresolved
    init(
        isConstant: Bool, name: String, nameSpan: SourceSpan, type: TypeAnnotation?, initializer: Expr, span: SourceSpan
    ) {
        self.isConstant = isConstant
        self.name = name
        self.nameSpan = nameSpan
        self.type = type
        self.initializer = initializer
        super.init(kind: .variableDeclaration, span: span)
    }
}

/// `let (a, _) = pair`: binds the elements of an array (as `zip` and `enumerated` give) to names; `_`
/// (an empty name) skips one.
final class DestructuringDecl: Stmt {
    let variables: [VariableDecl]
    let initializer: Expr
    /// The `( … )` pattern, for count mismatches.
    let patternSpan: SourceSpan
    init(variables: [VariableDecl], initializer: Expr, patternSpan: SourceSpan, span: SourceSpan) {
        self.variables = variables
        self.initializer = initializer
        self.patternSpan = patternSpan
        super.init(kind: .destructuring, span: span)
    }
}

struct Parameter {
    var label: String?  // nil for `_`
    var name: String
    var nameSpan: SourceSpan
    var type: TypeAnnotation?
    var defaultValue: Expr?
    var location: DeclarationLocation = .unresolved
}

/// A `func` declaration, or the body of a closure.
final class FunctionDecl: Stmt {
    /// Where a captured variable comes from when the function value is created.
    enum CaptureSource {
        case cell(Int)  // a boxed local of the enclosing function
        case capture(Int)  // a capture of the enclosing function
    }

    let name: String  // "" for closures
    let nameSpan: SourceSpan
    var parameters: [Parameter]
    let returnType: TypeAnnotation?
    let body: [Stmt]
    let isClosure: Bool
    /// Doc comment lines (`///`) written above a `func`.
    var documentation: String?
    var location: DeclarationLocation = .unresolved
    // Filled by the resolver:
    var slotCount = 0
    var cellCount = 0
    var captures: [CaptureSource] = []
    var usesDollarParameters = false

    init(
        name: String, nameSpan: SourceSpan, parameters: [Parameter], returnType: TypeAnnotation?, body: [Stmt],
        isClosure: Bool, span: SourceSpan
    ) {
        self.name = name
        self.nameSpan = nameSpan
        self.parameters = parameters
        self.returnType = returnType
        self.body = body
        self.isClosure = isClosure
        super.init(kind: .functionDeclaration, span: span)
    }

    /// The Swift-style name with labels, as traces and inspection show it: `classify(_:)`.
    var displayName: String {
        if isClosure { return "closure" }
        // A loop, not `joined()`: that generic code's first use looks up an associated type by scanning every
        // protocol conformance in the binary (~0.5 M instructions).
        var text = name + "("
        for parameter in parameters { text += (parameter.label ?? "_") + ":" }
        return text + ")"
    }
}

final class BlockStmt: Stmt {
    let statements: [Stmt]
    init(statements: [Stmt], span: SourceSpan) {
        self.statements = statements
        super.init(kind: .block, span: span)
    }
}

enum Condition {
    case expression(Expr)
    /// `let name = value` or `let name` (shorthand for `let name = name`).
    case binding(VariableDecl)
}

final class IfStmt: Stmt {
    let conditions: [Condition]
    let thenBranch: BlockStmt
    let elseBranch: Stmt?  // a BlockStmt or another IfStmt
    init(conditions: [Condition], thenBranch: BlockStmt, elseBranch: Stmt?, span: SourceSpan) {
        self.conditions = conditions
        self.thenBranch = thenBranch
        self.elseBranch = elseBranch
        super.init(kind: .ifStatement, span: span)
    }
}

final class GuardStmt: Stmt {
    let conditions: [Condition]
    let elseBranch: BlockStmt
    init(conditions: [Condition], elseBranch: BlockStmt, span: SourceSpan) {
        self.conditions = conditions
        self.elseBranch = elseBranch
        super.init(kind: .guardStatement, span: span)
    }
}

final class ForStmt: Stmt {
    /// The loop variables: one name, `_` (empty), or a `(a, b)` pattern.
    let variables: [VariableDecl]
    let isPattern: Bool
    let sequence: Expr
    let body: BlockStmt
    init(variables: [VariableDecl], isPattern: Bool, sequence: Expr, body: BlockStmt, span: SourceSpan) {
        self.variables = variables
        self.isPattern = isPattern
        self.sequence = sequence
        self.body = body
        super.init(kind: .forLoop, span: span)
    }
}

final class WhileStmt: Stmt {
    let condition: Expr
    let body: BlockStmt
    init(condition: Expr, body: BlockStmt, span: SourceSpan) {
        self.condition = condition
        self.body = body
        super.init(kind: .whileLoop, span: span)
    }
}

final class ReturnStmt: Stmt {
    let value: Expr?
    init(value: Expr?, span: SourceSpan) {
        self.value = value
        super.init(kind: .returnStatement, span: span)
    }
}

final class BreakStmt: Stmt {
    init(span: SourceSpan) { super.init(kind: .breakStatement, span: span) }
}
final class ContinueStmt: Stmt {
    init(span: SourceSpan) { super.init(kind: .continueStatement, span: span) }
}

/// The node classes of `Stmt`, one case each, without payload: what a node passes to `Stmt.init`. A new node
/// class needs a new case here, which breaks the exhaustive switch in `Stmt.node` until it is added there too.
enum StmtKind {
    case expression
    case assignment
    case variableDeclaration
    case destructuring
    case functionDeclaration
    case block
    case ifStatement
    case guardStatement
    case forLoop
    case whileLoop
    case returnStatement
    case breakStatement
    case continueStatement
}

/// A `Stmt` as its concrete class, for passes that switch over every kind of node: the switches have no
/// `default`, so a new node type is a compile error in each pass (resolver, compiler, walkers) until it is handled.
enum StmtNode {
    case expression(ExpressionStmt)
    case assignment(AssignmentStmt)
    case variableDeclaration(VariableDecl)
    case destructuring(DestructuringDecl)
    case functionDeclaration(FunctionDecl)
    case block(BlockStmt)
    case ifStatement(IfStmt)
    case guardStatement(GuardStmt)
    case forLoop(ForStmt)
    case whileLoop(WhileStmt)
    case returnStatement(ReturnStmt)
    case breakStatement(BreakStmt)
    case continueStatement(ContinueStmt)
}

extension Stmt {
    /// This node as its concrete class.
    var node: StmtNode {
        // Each class passes its own kind (the only initializer), so the cast cannot fail.
        switch kind {
        case .expression: .expression(self as! ExpressionStmt)
        case .assignment: .assignment(self as! AssignmentStmt)
        case .variableDeclaration: .variableDeclaration(self as! VariableDecl)
        case .destructuring: .destructuring(self as! DestructuringDecl)
        case .functionDeclaration: .functionDeclaration(self as! FunctionDecl)
        case .block: .block(self as! BlockStmt)
        case .ifStatement: .ifStatement(self as! IfStmt)
        case .guardStatement: .guardStatement(self as! GuardStmt)
        case .forLoop: .forLoop(self as! ForStmt)
        case .whileLoop: .whileLoop(self as! WhileStmt)
        case .returnStatement: .returnStatement(self as! ReturnStmt)
        case .breakStatement: .breakStatement(self as! BreakStmt)
        case .continueStatement: .continueStatement(self as! ContinueStmt)
        }
    }
}
