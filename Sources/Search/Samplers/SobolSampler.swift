// SobolSampler: a scrambled Sobol' sequence (Joe–Kuo direction numbers, Matoušek's linear matrix scramble and a
// digital shift, both seeded), one dimension per parameter in the order the study first met them.
import TensorCore

/// Sobol' points in Gray-code order (as SciPy's `qmc.Sobol`), optionally scrambled.
struct SobolSequence {
    static let bits = 32
    static let maximumDimensions = sobolPolynomials.count
    let dimensions: Int
    private var directions: [[UInt32]]
    private var shift: [UInt32]

    init(dimensions: Int, scrambleSeed: UInt64?) {
        precondition(dimensions >= 1 && dimensions <= Self.maximumDimensions)
        self.dimensions = dimensions
        directions = (0..<dimensions).map(Self.directionNumbers)
        shift = Array(repeating: 0, count: dimensions)
        guard let scrambleSeed else { return }
        var generator = RandomGenerator(seed: SeedMixing.mix(scrambleSeed, SeedMixing.hash("sobol-scramble")))
        for dimension in 0..<dimensions {
            // Row i of a random lower-triangular matrix with unit diagonal: digit i of the scrambled number depends
            // on digit i and the more significant digits (bit 31 is the 2⁻¹ digit).
            let rows: [UInt32] = (0..<Self.bits).map { i in
                let above = i == 0 ? 0 : UInt32(truncatingIfNeeded: generator.next()) & ~(UInt32.max >> i)
                return above | (1 << (31 - i))
            }
            directions[dimension] = directions[dimension].map { v in
                var scrambled: UInt32 = 0
                for (i, row) in rows.enumerated() where (row & v).nonzeroBitCount % 2 == 1 {
                    scrambled |= 1 << (31 - i)
                }
                return scrambled
            }
            shift[dimension] = UInt32(truncatingIfNeeded: generator.next())
        }
    }

    /// Direction numbers V₁…V₃₂ of a dimension (Bratley & Fox's recurrence on the m's).
    static func directionNumbers(_ dimension: Int) -> [UInt32] {
        if dimension == 0 { return (0..<bits).map { UInt32(1) << (31 - $0) } }
        let polynomial = sobolPolynomials[dimension]
        let degree = (32 - polynomial.leadingZeroBitCount) - 1
        var m = sobolInitialNumbers[dimension].map { UInt64($0) }
        while m.count < bits {
            let k = m.count
            var next = m[k - degree] ^ (m[k - degree] << UInt64(degree))
            for l in 1..<max(degree, 1) where (polynomial >> UInt32(degree - l)) & 1 == 1 {
                next ^= m[k - l] << UInt64(l)
            }
            m.append(next)
        }
        return m.enumerated().map { k, value in UInt32(truncatingIfNeeded: value << UInt64(31 - k)) }
    }

    /// Point `index` (0-based) in [0, 1)^dimensions.
    func point(_ index: Int) -> [Double] {
        (0..<dimensions).map { coordinate(index, dimension: $0) }
    }

    /// Coordinate `dimension` of point `index`, in [0, 1).
    func coordinate(_ index: Int, dimension: Int) -> Double {
        var x = shift[dimension]
        var bits = UInt64(index) ^ (UInt64(index) >> 1)  // Gray code
        var k = 0
        while bits != 0, k < Self.bits {
            if bits & 1 == 1 { x ^= directions[dimension][k] }
            bits >>= 1
            k += 1
        }
        return Double(x) * 0x1p-32
    }
}

/// Each parameter gets the next Sobol' dimension when the study first sees it (trials in number order, parameters in
/// suggestion order), and trial n takes point n: define-by-run spaces, conditional parameters and several workers all
/// see the same assignment. Parameters past the 64th dimension are drawn at random.
final class SobolSampler: Sampler {
    private var cachedSequence: (seed: UInt64, sequence: SobolSequence)?

    func relativeSample(_ context: SamplingContext) -> [String: ParameterValue] { [:] }

    func independentSample(name: String, distribution: Distribution, context: SamplingContext) -> ParameterValue {
        var order: [String] = []
        var seen = Set<String>()
        for trial in context.history.sorted(by: { $0.number < $1.number }) {
            for parameter in trial.parameters where seen.insert(parameter.name).inserted {
                order.append(parameter.name)
            }
        }
        for parameter in context.current where seen.insert(parameter.name).inserted { order.append(parameter.name) }
        let dimension = order.firstIndex(of: name) ?? order.count
        guard dimension < SobolSequence.maximumDimensions else {
            return RandomSampler().independentSample(name: name, distribution: distribution, context: context)
        }
        if cachedSequence?.seed != context.seed {
            cachedSequence = (
                context.seed, SobolSequence(dimensions: SobolSequence.maximumDimensions, scrambleSeed: context.seed)
            )
        }
        // One parameter at a time: only its own coordinate of the trial's point.
        return distribution.value(
            atUnit: cachedSequence!.sequence.coordinate(context.trialNumber, dimension: dimension))
    }
}
