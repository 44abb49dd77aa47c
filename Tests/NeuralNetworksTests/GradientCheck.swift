import TensorCore
import Testing

@testable import NeuralNetworks

/// Checks every parameter's gradient of `Σ layer(x) ⊙ probe` (a fixed random probe) against central differences.
func expectParameterGradientsMatch(
    _ layer: any Layer, input: Tensor, step: Float = 1e-2, tolerance: Float = 2e-2,
    sourceLocation: SourceLocation = #_sourceLocation
) throws {
    var generator = RandomGenerator(seed: 99)
    let output = try layer(input)
    let probe = try Tensor.normal(output.shape, using: &generator)
    func objective() throws -> Float { try (layer.forward(input, context: .evaluation) * probe).sum().item() }
    layer.clearGradients()
    try (layer.forward(input, context: .evaluation) * probe).sum().backward()
    for (name, parameter) in layer.namedParameters where parameter.isTrainable {
        let analytic = parameter.gradient?.scalars ?? [Float](repeating: 0, count: parameter.value.scalarCount)
        var values = parameter.value.scalars
        // Check up to 12 entries spread over the tensor.
        let stride = max(1, values.count / 12)
        for index in Swift.stride(from: 0, to: values.count, by: stride) {
            let original = values[index]
            values[index] = original + step
            try parameter.assign(values)
            let plus = try objective()
            values[index] = original - step
            try parameter.assign(values)
            let minus = try objective()
            values[index] = original
            try parameter.assign(values)
            let numeric = (plus - minus) / (2 * step)
            let scale = max(1, abs(numeric), abs(analytic[index]))
            #expect(
                abs(numeric - analytic[index]) <= tolerance * scale,
                "\(name)[\(index)]: numeric \(numeric), analytic \(analytic[index])", sourceLocation: sourceLocation)
        }
    }
    layer.clearGradients()
}

func expectClose(
    _ actual: [Float], _ expected: [Float], tolerance: Float = 1e-4, sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(actual.count == expected.count, sourceLocation: sourceLocation)
    for (a, e) in zip(actual, expected) {
        #expect(abs(a - e) <= tolerance * max(1, abs(e)), "\(actual) vs \(expected)", sourceLocation: sourceLocation)
    }
}
