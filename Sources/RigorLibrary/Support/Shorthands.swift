// Shorthands: the old registration helpers (to be deleted once unused).
import Foundation
import NeuralNetworks
import RichDisplay
import RigorScript
import TensorCore

// MARK: - Registration shorthands

/// A parameter: `param(nil, "x", "Tensor")` is `_ x: Tensor`.
func param(
    _ label: String?, _ name: String? = nil, _ type: String = "Any", default value: Value? = nil,
    text: String? = nil, closure: Bool = false
) -> Signature.Parameter {
    Signature.Parameter(label, name, type: type, default: value, defaultText: text, closure: closure)
}

extension TypeDescriptor {
    func define(
        _ name: String, _ parameters: [Signature.Parameter] = [], returns: String? = nil, doc: String,
        example: String, _ body: @escaping Method.Body
    ) {
        add(Method(Signature(name, parameters, returns: returns, doc: doc, example: example), body: body))
    }

    func getter(_ name: String, type: String, doc: String, _ get: @escaping (Value) throws -> Value) {
        add(Property(name, type: type, doc: doc, get: { value, _ in try get(value) }))
    }

    func staticFunction(
        _ name: String, _ parameters: [Signature.Parameter] = [], returns: String? = nil, doc: String,
        example: String, _ body: @escaping BuiltinFunction.Body
    ) {
        addStatic(
            BuiltinFunction(Signature(name, parameters, returns: returns, doc: doc, example: example), body: body))
    }

    func initializer(
        _ parameters: [Signature.Parameter], doc: String, example: String, _ body: @escaping BuiltinFunction.Body
    ) {
        addInitializer(
            BuiltinFunction(Signature(name, parameters, returns: name, doc: doc, example: example), body: body))
    }
}

extension BuiltinRegistry {
    func global(
        _ name: String, _ parameters: [Signature.Parameter] = [], returns: String? = nil, doc: String,
        example: String, _ body: @escaping BuiltinFunction.Body
    ) {
        register(Signature(name, parameters, returns: returns, doc: doc, example: example), body: body)
    }
}

extension Value {
    /// The receiver as a library object of type `T`.
    func object<T: NativeObject>(_ type: T.Type) throws -> T {
        if case .object(let object) = self, let typed = object as? T { return typed }
        throw BuiltinError(.type, "expected a \(String(describing: T.self)), got '\(typeName)'")
    }
}

extension Arguments {
    func optionalInt(_ index: Int) throws -> Int? { isNil(index) ? nil : try int(index) }
    /// An optional array of strings (nil when the argument is nil).
    func optionalStrings(_ index: Int) throws -> [String]? {
        guard !isNil(index) else { return nil }
        return try array(index).map { element in
            guard case .string(let text) = element else {
                throw BuiltinError(
                    .type, "expected an array of String, found an element of type '\(element.typeName)'",
                    argument: index)
            }
            return text
        }
    }
    func seed(_ index: Int) throws -> UInt64 {
        let value = try int(index)
        guard value >= 0 else { throw BuiltinError(.value, "a seed must not be negative", argument: index) }
        return UInt64(value)
    }
}
