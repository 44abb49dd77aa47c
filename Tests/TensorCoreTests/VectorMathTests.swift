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

    @Test func fourLaneFormsComputeTheScalarForms() {
        // The LSTM kernel's SIMD sigmoid and tanh perform the scalar forms' operations: the same bits, lane by lane.
        var x: Float = -100
        while x <= 100 {
            let lanes = VectorMath.Lanes(x, x * 0.5, x * 0.01, -x * 1e-3)
            let (sigmoids, tanhs) = (VectorMath.sigmoid(lanes), VectorMath.tanh(lanes))
            for lane in 0..<VectorMath.laneCount {
                #expect(sigmoids[lane].bitPattern == VectorMath.sigmoid(lanes[lane]).bitPattern, "σ(\(lanes[lane]))")
                #expect(tanhs[lane].bitPattern == VectorMath.tanh(lanes[lane]).bitPattern, "tanh(\(lanes[lane]))")
            }
            x += 0.0173
        }
        let special = VectorMath.Lanes(.nan, .infinity, -.infinity, -200)
        #expect(VectorMath.sigmoid(special)[0].isNaN && VectorMath.tanh(special)[0].isNaN)
        #expect(VectorMath.sigmoid(special)[1] == 1 && VectorMath.sigmoid(special)[2] == 0)
        #expect(VectorMath.tanh(special)[1] == 1 && VectorMath.tanh(special)[2] == -1)
        #expect(VectorMath.sigmoid(special)[3] == 0)
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
        #expect(VectorMath.sigmoid(.nan).isNaN)
        #expect(VectorMath.sigmoid(-.infinity) == 0 && VectorMath.sigmoid(.infinity) == 1)
        #expect(VectorMath.tanh(.infinity) == 1 && VectorMath.tanh(-.infinity) == -1)
    }
}

private func libmExp(_ x: Double) -> Double { exp(x) }
private func libmTanh(_ x: Double) -> Double { tanh(x) }
