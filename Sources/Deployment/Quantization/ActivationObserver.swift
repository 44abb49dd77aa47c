// ActivationObserver: the range of a layer's inputs over a calibration sample (min-max or percentile).
import TensorCore

/// How calibration turns the observed inputs of a layer into its int8 range.
public enum ActivationCalibration: Sendable, Equatable {
    /// The smallest and largest value seen (PyTorch's `MinMaxObserver`).
    case minMax
    /// The `p`-th and `(100 − p)`-th percentiles of the values seen (e.g. 99.99): outliers are clipped so that
    /// the bulk of the values gets finer steps.
    case percentile(Double)
}

/// Accumulates what calibration needs to know of one layer's input: its extremes, and a sample of its values
/// (at most ``sampleCapacity``, taken at an even stride once the cap is reached) for percentiles.
struct ActivationObserver {
    static let sampleCapacity = 1 << 20
    private(set) var minimum = Float.infinity
    private(set) var maximum = -Float.infinity
    private(set) var sample: [Float] = []
    private var seen = 0

    mutating func observe(_ input: Tensor) {
        input.withUnsafeBufferPointer { values in
            for value in values where value.isFinite {
                minimum = Swift.min(minimum, value)
                maximum = Swift.max(maximum, value)
                seen += 1
                // Keep every value until the sample is full, then every k-th, k growing with what was seen.
                let stride = Swift.max(1, seen / Self.sampleCapacity + 1)
                if sample.count < Self.sampleCapacity || seen % stride == 0 {
                    if sample.count < Self.sampleCapacity {
                        sample.append(value)
                    } else {
                        sample[seen % sample.count] = value
                    }
                }
            }
        }
    }

    /// The activation quantization the observations call for.
    func quantization(_ method: ActivationCalibration) -> AffineQuantization {
        guard seen > 0 else { return .activation(lower: 0, upper: 0) }
        switch method {
        case .minMax:
            return .activation(lower: minimum, upper: maximum)
        case .percentile(let p):
            let sorted = sample.sorted()
            let upperFraction = Swift.min(Swift.max(p / 100, 0.5), 1)
            func quantile(_ q: Double) -> Float { sorted[Int((Double(sorted.count - 1) * q).rounded())] }
            return .activation(lower: quantile(1 - upperFraction), upper: quantile(upperFraction))
        }
    }
}
