// GradientCheck: compares reverse-mode gradients against central finite differences accumulated in Float64.

import Testing

@testable import TensorCore

/// Deterministic test data: `count` scalars spread over roughly [−1.5, 1.5], different for each `salt`.
func sample(_ shape: [Int], salt: Int = 0, positive: Bool = false) -> Tensor {
    var generator = RandomGenerator(seed: UInt64(1000 + salt))
    let values = (0..<shape.reduce(1, *)).map { _ in
        positive ? 0.5 + 1.5 * generator.nextUniform() : 3 * generator.nextUniform() - 1.5
    }
    return try! Tensor(shape: shape, scalars: values)
}

/// Checks d(Σ f(inputs) ⊙ W)/d inputs against central differences, W a fixed random weighting.
///
/// The loss is summed in Double from the Float32 outputs; `epsilon` and `tolerance` are relative to the scale.
func expectGradientsMatch(
    _ inputs: [Tensor], epsilon: Float = 1e-2, tolerance: Double = 1e-2,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ function: ([Tensor]) throws(TensorError) -> Tensor
) throws {
    let leaves = inputs.map { $0.requiringGradient() }
    let output = try function(leaves)
    let weights = sample(output.shape, salt: 99)
    let loss = try (output * weights).sum()
    let analytic = try Tensor.gradients(of: loss, withRespectTo: leaves)
    func weightedLoss(_ values: [Tensor]) throws -> Double {
        let result = try noGrad { () throws(TensorError) -> Tensor in try function(values) }
        return zip(result.scalars, weights.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }
    for (which, input) in inputs.enumerated() {
        #expect(analytic[which].shape == input.shape, sourceLocation: sourceLocation)
        for index in 0..<input.scalarCount {
            var plus = inputs
            var minus = inputs
            plus[which].withUnsafeMutableBufferPointer { $0[index] += epsilon }
            minus[which].withUnsafeMutableBufferPointer { $0[index] -= epsilon }
            let numeric = (try weightedLoss(plus) - weightedLoss(minus)) / (2 * Double(epsilon))
            let value = Double(analytic[which].scalars[index])
            let error = Swift.abs(value - numeric) / Swift.max(1, Swift.abs(numeric))
            #expect(
                error <= tolerance,
                "input \(which) scalar \(index): analytic \(value), numeric \(numeric)", sourceLocation: sourceLocation)
        }
    }
}

/// Expects every scalar within `tolerance` of the expected values, and the same count.
func expectClose(
    _ tensor: Tensor, _ expected: [Float], tolerance: Float = 1e-5, sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(
        tensor.scalarCount == expected.count, "\(tensor.shape) vs \(expected.count)", sourceLocation: sourceLocation)
    for (index, (actual, wanted)) in zip(tensor.scalars, expected).enumerated() {
        #expect(
            Swift.abs(actual - wanted) <= tolerance * Swift.max(1, Swift.abs(wanted)),
            "scalar \(index): \(actual) vs \(wanted)", sourceLocation: sourceLocation)
    }
}
