// VectorMathTests: the vectorizable exp, sigmoid and tanh agree with libm across their range.

import Testing

@testable import TensorCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@Suite("VectorMath")
struct VectorMathTests {
    @Test func agreesWithLibm() {
        var x: Float = -100
        while x <= 100 {
            let exact = Double(x)
            let e = VectorMath.exp(x)
            let reference = libmExp(exact)
            if reference > 1e-37 && reference < 3e38 {
                #expect(Swift.abs(Double(e) - reference) <= 4e-7 * reference, "exp(\(x)) = \(e), libm \(reference)")
            }
            #expect(Swift.abs(Double(VectorMath.tanh(x)) - libmTanh(exact)) <= 3e-7, "tanh(\(x))")
            #expect(Swift.abs(Double(VectorMath.sigmoid(x)) - 1 / (1 + libmExp(-exact))) <= 3e-7, "σ(\(x))")
            x += 0.0137
        }
        // Tiny arguments keep their relative accuracy.
        #expect(Swift.abs(VectorMath.tanh(1e-6) - 1e-6) < 1e-12)
    }

    @Test func edgeCases() {
        #expect(VectorMath.exp(-200) == 0)
        #expect(VectorMath.exp(200) == .infinity)
        #expect(VectorMath.exp(0) == 1)
        #expect(VectorMath.exp(.nan).isNaN)
        #expect(VectorMath.tanh(.nan).isNaN)
        #expect(VectorMath.tanh(50) == 1)
        #expect(VectorMath.tanh(-50) == -1)
        #expect(VectorMath.sigmoid(-200) == 0)
        #expect(VectorMath.sigmoid(200) == 1)
    }
}

private func libmExp(_ x: Double) -> Double { exp(x) }
private func libmTanh(_ x: Double) -> Double { tanh(x) }
