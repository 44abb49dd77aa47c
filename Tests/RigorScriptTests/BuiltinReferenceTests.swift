import Testing

@testable import RigorScript

@Suite("Builtin documentation")
struct BuiltinReferenceTests {
    @Test("every builtin has a documentation sentence and every function an example")
    func everyBuiltinIsDocumented() {
        let registry = Session().registry
        for function in registry.functions.values.flatMap({ [$0] + $0.overloads }) {
            #expect(!function.signature.documentation.isEmpty, "\(function.signature.name)")
            #expect(function.signature.example != nil, "\(function.signature.compactName) has no example")
        }
        for type in registry.types.values {
            for method in type.methods.values.flatMap({ [$0] + $0.overloads }) {
                #expect(!method.signature.documentation.isEmpty, "\(type.name).\(method.signature.name)")
                #expect(method.signature.example != nil, "\(type.name).\(method.signature.compactName) has no example")
            }
        }
    }
}
