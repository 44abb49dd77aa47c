import Testing

@testable import RigorScript

/// A small builtin object, as libraries write them: a 2-vector with operators, members,
/// a subscript and iteration.
final class Vector2: NativeObject {
    let x: Double
    let y: Double
    init(_ x: Double, _ y: Double) {
        self.x = x
        self.y = y
    }
    var typeName: String { "Vector2" }
    var description: String { "Vector2(\(x), \(y))" }

    func applyBinaryOperator(_ op: String, lhs: Value, rhs: Value) throws -> Value? {
        func parts(_ v: Value) -> (Double, Double)? {
            if case .object(let o as Vector2) = v { return (o.x, o.y) }
            if let d = v.doubleValue { return (d, d) }
            return nil
        }
        guard let a = parts(lhs), let b = parts(rhs) else { return nil }
        switch op {
        case "+": return .object(Vector2(a.0 + b.0, a.1 + b.1))
        case "*": return .object(Vector2(a.0 * b.0, a.1 * b.1))
        case "/":
            if b.0 == 0 || b.1 == 0 { throw BuiltinError(.value, "Vector2 division by a zero component") }
            return .object(Vector2(a.0 / b.0, a.1 / b.1))
        case "<": return .bool(a.0 * a.0 + a.1 * a.1 < b.0 * b.0 + b.1 * b.1)
        default: return nil
        }
    }

    func applyNegation() throws -> Value? { .object(Vector2(-x, -y)) }

    static func register(in registry: BuiltinRegistry) {
        let type = registry.type(Vector2.self, doc: "A 2-vector (test type).")
        type.initializer(Arg<Double>(nil, "x"), Arg<Double>(nil, "y"), doc: "A vector.") { _, x, y in Vector2(x, y) }
        type.property("length", doc: "Euclidean length.") { v in (v.x * v.x + v.y * v.y).squareRoot() }
        type.subscriptGetter { v, indices, _ in
            guard case .int(let i) = indices.first ?? .nil, i == 0 || i == 1 else {
                throw BuiltinError(.index, "a Vector2 has components 0 and 1")
            }
            return .double(i == 0 ? v.x : v.y)
        }
        type.iterate { v, _ in [.double(v.x), .double(v.y)] }
    }
}

extension Vector2: ArgumentType, ScriptValueConvertible {
    static var scriptTypeName: String { "Vector2" }
}

@Suite("Builtin objects from libraries")
struct NativeObjectTests {
    func session() -> Session {
        let registry = BuiltinRegistry()
        Prelude.register(in: registry)
        Vector2.register(in: registry)
        return Session(registry: registry)
    }

    @Test("operators dispatch to objects, on either side, with errors at the operator")
    func operators() throws {
        let s = session()
        #expect(s.execute("(Vector2(1, 2) + Vector2(3, 4)).length").value == .double(Double(52).squareRoot()))
        #expect(s.execute("\"\\(2 * Vector2(1, 2))\"").value == .string("Vector2(2.0, 4.0)"))
        #expect(s.execute("\"\\(-Vector2(1, 2))\"").value == .string("Vector2(-1.0, -2.0)"))
        #expect(s.execute("Vector2(1, 1) < Vector2(2, 2)").value == .bool(true))
        #expect(s.execute("var v = Vector2(1, 1)\nv += 1\nv[1]").value == .double(2))
        let division = try #require(s.execute("let z = Vector2(1, 2) / 0").error)
        #expect(s.render(division).hasPrefix("In[6]:1:23: error: Vector2 division by a zero component"))
        let unsupported = try #require(s.execute("Vector2(1, 2) - 1").error)
        #expect(unsupported.message == "binary operator '-' cannot be applied to operands of type 'Vector2' and 'Int'")
    }

    @Test("members, subscripts, iteration and type annotations work on objects")
    func members() {
        let s = session()
        #expect(s.execute("let v = Vector2(3, 4)\nv.length").value == .double(5))
        #expect(s.execute("var total = 0.0\nfor c in v { total += c }\ntotal").value == .double(7))
        #expect(s.execute("func len(_ v: Vector2) -> Double { v.length }\nlen(v)").value == .double(5))
        #expect(
            s.execute("len(3)").error?.message
                == "cannot convert value of type 'Int' to expected argument type 'Vector2'")
        #expect(s.execute("v[2]").error?.kind == .index)
        #expect(s.execute("v.lenght").error.map { s.render($0) }?.contains("did you mean 'length'?") == true)
    }

    @Test("a function's arguments and locals are released when it returns, not kept by its recycled frame")
    func framesKeepNothingAlive() {
        final class Tracked: NativeObject {
            nonisolated(unsafe) static var alive = 0
            init() { Tracked.alive += 1 }
            deinit { Tracked.alive -= 1 }
            var typeName: String { "Tracked" }
            var description: String { "Tracked" }
        }
        let registry = BuiltinRegistry()
        Prelude.register(in: registry)
        registry.register(Signature("makeTracked", [], doc: "A tracked object.")) { _, _ in .object(Tracked()) }
        let s = Session(registry: registry)
        Tracked.alive = 0
        _ = s.execute("func use(_ x) -> Int { let local = x\n return 1 }\nuse(makeTracked())")
        #expect(Tracked.alive == 0)
        _ = s.execute("func nested(_ x) -> Int { use(x) + use(makeTracked()) }\nnested(makeTracked())")
        #expect(Tracked.alive == 0)
    }
}
