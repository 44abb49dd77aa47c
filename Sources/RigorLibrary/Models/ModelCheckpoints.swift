// ModelCheckpoints: a layer's checkpoint description from its arguments, and the initializer call that rebuilds it.
import Foundation
import NeuralNetworks
import RigorScript
import TensorCore

extension RigorLibrary {
    /// A layer's description from its initializer's parameters and the values they received; nil when a value has
    /// no form in a checkpoint.
    static func layerDescription(
        _ kind: String, _ given: [(parameter: Signature.Parameter, value: Value)]
    ) -> LayerDescription? {
        var arguments: [String: LayerArgument] = [:]
        for (parameter, value) in given {
            switch value {
            case .int(let i): arguments[parameter.name] = .int(i)
            case .double(let d): arguments[parameter.name] = .double(d)
            case .bool(let b): arguments[parameter.name] = .bool(b)
            case .nil: arguments[parameter.name] = LayerArgument.none
            case .implicitMember(let member) where member.arguments == nil:
                arguments[parameter.name] = .member(member.name)
            default: return nil
            }
        }
        return LayerDescription(kind: kind, arguments: arguments)
    }

    /// The initializer of `type` that rebuilds `layer`, and the values in its parameter order: the layer's
    /// arguments by name, the parameter's default for one the file does not have (a parameter added after the file
    /// was written). It is the first initializer (or overload) that takes every argument the file names and needs
    /// no other.
    static func initializerCall(
        for layer: LayerDescription, of type: TypeDescriptor, path: String, index: Int
    )
        throws -> (BuiltinFunction, [Value])
    {
        let initializers = type.initializer.map { [$0] + $0.overloads } ?? []
        let fitting = initializers.first { function in
            let parameters = function.signature.parameters
            let names = Set(parameters.map(\.name))
            return layer.arguments.keys.allSatisfy(names.contains)
                && parameters.allSatisfy { $0.defaultValue != nil || layer.arguments[$0.name] != nil }
        }
        guard let function = fitting else {
            let known = Set(initializers.flatMap { $0.signature.parameters.map(\.name) })
            let unknown = layer.arguments.keys.filter { !known.contains($0) }.sorted()
            let reason =
                unknown.isEmpty
                ? "does not have the arguments \(layer.kind)(…) needs"
                : "has arguments this Rigor's \(layer.kind) does not take: \(unknown.joined(separator: ", "))"
            throw BuiltinError(.value, "\(path): layer \(index) (\(layer.kind)) \(reason)", parameter: "path")
        }
        let values = function.signature.parameters.map { parameter -> Value in
            switch layer.arguments[parameter.name] {
            case .int(let i): return .int(i)
            case .double(let d): return .double(d)
            case .bool(let b): return .bool(b)
            case .member(let name): return .implicitMember(ImplicitMember(name: name))
            case .some(.none): return .nil
            case nil: return parameter.defaultValue ?? .nil
            }
        }
        return (function, values)
    }
}
