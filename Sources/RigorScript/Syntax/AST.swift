/// AST: the syntax tree the parser builds and the resolver annotates in place.
///
/// Nodes are classes so the resolver can record where each name lives (a slot, a captured cell,
/// a global) directly on the node, as jlox's resolver does with its side table.

// MARK: - Expressions

class Expr {
    let span: SourceSpan
    init(span: SourceSpan) { self.span = span }
}

/// A constant: integer, float, string without interpolation, Bool or nil.
final class LiteralExpr: Expr {
    let value: Value
    init(_ value: Value, span: SourceSpan) {
        self.value = value
        super.init(span: span)
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
        super.init(span: span)
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
        super.init(span: span)
    }
}

/// `$0`, `$1`: the anonymous parameters of a closure.
final class DollarExpr: Expr {
    let index: Int
    var location: VariableLocation = .unresolved
    init(index: Int, span: SourceSpan) {
        self.index = index
        super.init(span: span)
    }
}

/// `.relu` or `.adam(learningRate: 1e-3)`.
final class ImplicitMemberExpr: Expr {
    let name: String
    let arguments: [Argument]?
    init(name: String, arguments: [Argument]?, span: SourceSpan) {
        self.name = name
        self.arguments = arguments
        super.init(span: span)
    }
}

/// A binary operator used as a function value: `reduce(0, +)`.
final class OperatorFunctionExpr: Expr {
    let op: TokenKind
    init(op: TokenKind, span: SourceSpan) {
        self.op = op
        super.init(span: span)
    }
}

final class UnaryExpr: Expr {
    let op: TokenKind
    let operand: Expr
    init(op: TokenKind, operand: Expr, span: SourceSpan) {
        self.op = op
        self.operand = operand
        super.init(span: span)
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
        super.init(span: left.span.through(right.span))
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
        super.init(span: condition.span.through(elseBranch.span))
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
        super.init(span: object.span.through(nameSpan))
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
        super.init(span: span)
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
        super.init(span: span)
    }
}

final class ArrayLiteralExpr: Expr {
    let elements: [Expr]
    init(elements: [Expr], span: SourceSpan) {
        self.elements = elements
        super.init(span: span)
    }
}

final class DictionaryLiteralExpr: Expr {
    let entries: [(key: Expr, value: Expr)]
    init(entries: [(key: Expr, value: Expr)], span: SourceSpan) {
        self.entries = entries
        super.init(span: span)
    }
}

/// `{ a, b in a + b }` or `{ $0 * 2 }`.
final class ClosureExpr: Expr {
    let function: FunctionDecl
    init(function: FunctionDecl, span: SourceSpan) {
        self.function = function
        super.init(span: span)
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

// MARK: - Statements

class Stmt {
    let span: SourceSpan
    init(span: SourceSpan) { self.span = span }
}

final class ExpressionStmt: Stmt {
    let expression: Expr
    var hasSemicolon = false
    init(expression: Expr) {
        self.expression = expression
        super.init(span: expression.span)
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
        super.init(span: target.span.through(value.span))
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
        super.init(span: span)
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
        super.init(span: span)
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
        super.init(span: span)
    }

    /// The Swift-style name with labels, as traces and inspection show it: `classify(_:)`.
    var displayName: String {
        if isClosure { return "closure" }
        return "\(name)(" + parameters.map { "\($0.label ?? "_"):" }.joined() + ")"
    }
}

final class BlockStmt: Stmt {
    let statements: [Stmt]
    init(statements: [Stmt], span: SourceSpan) {
        self.statements = statements
        super.init(span: span)
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
        super.init(span: span)
    }
}

final class GuardStmt: Stmt {
    let conditions: [Condition]
    let elseBranch: BlockStmt
    init(conditions: [Condition], elseBranch: BlockStmt, span: SourceSpan) {
        self.conditions = conditions
        self.elseBranch = elseBranch
        super.init(span: span)
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
        super.init(span: span)
    }
}

final class WhileStmt: Stmt {
    let condition: Expr
    let body: BlockStmt
    init(condition: Expr, body: BlockStmt, span: SourceSpan) {
        self.condition = condition
        self.body = body
        super.init(span: span)
    }
}

final class ReturnStmt: Stmt {
    let value: Expr?
    init(value: Expr?, span: SourceSpan) {
        self.value = value
        super.init(span: span)
    }
}

final class BreakStmt: Stmt {}
final class ContinueStmt: Stmt {}
