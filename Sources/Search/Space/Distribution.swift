// Distribution: where one hyperparameter lives (a float range, linear or logarithmic; an integer range with a step; a
// set of choices), its validation, and the maps between values and the unit interval that samplers work in.
import Foundation

/// The range of one hyperparameter.
///
/// ```swift
/// .uniform(0, 0.5)            // dropout
/// .logUniform(1e-5, 1e-1)     // learning rate, sampled evenly in log space
/// .int(16, 256, step: 16)     // width: 16, 32, …, 256
/// .int(1, 1024, log: true)    // batch size, log-spaced integers
/// .choice(["relu", "tanh"])   // activation
/// ```
public enum Distribution: Hashable, Sendable, Codable, CustomStringConvertible {
    case uniform(Double, Double)
    case logUniform(Double, Double)
    case int(Int, Int, step: Int = 1, log: Bool = false)
    case choice([ParameterValue])

    /// Throws a `SearchError` naming the parameter when the range is empty or cannot be sampled.
    public func validate(name: String) throws(SearchError) {
        func fail(_ reason: String) -> SearchError {
            SearchError(.invalidArgument, "parameter '\(name)': \(self): \(reason)")
        }
        switch self {
        case .uniform(let low, let high):
            guard low.isFinite, high.isFinite else { throw fail("bounds must be finite") }
            guard low < high else { throw fail("the range is empty; need low < high") }
        case .logUniform(let low, let high):
            guard low.isFinite, high.isFinite else { throw fail("bounds must be finite") }
            guard low > 0, high > 0 else { throw fail("a logarithmic range needs positive bounds") }
            guard low < high else { throw fail("the range is empty; need low < high") }
        case .int(let low, let high, let step, let log):
            guard step >= 1 else { throw fail("the step must be at least 1") }
            guard low <= high else { throw fail("the range is empty; need low ≤ high") }
            if log {
                guard low >= 1 else { throw fail("a logarithmic range needs positive bounds") }
                guard step == 1 else { throw fail("a logarithmic integer range takes no step") }
            }
        case .choice(let values):
            guard !values.isEmpty else { throw fail("a choice needs at least one value") }
            guard Set(values).count == values.count else { throw fail("the choices must be distinct") }
        }
    }

    public var description: String {
        switch self {
        case .uniform(let low, let high): "uniform(\(low), \(high))"
        case .logUniform(let low, let high): "logUniform(\(low), \(high))"
        case .int(let low, let high, let step, let log):
            "int(\(low), \(high)" + (step != 1 ? ", step: \(step)" : "") + (log ? ", log: true" : "") + ")"
        case .choice(let values): "choice([\(values.map(\.description).joined(separator: ", "))])"
        }
    }

    /// Whether samplers treat the values as unordered categories.
    public var isCategorical: Bool {
        if case .choice = self { return true }
        return false
    }

    /// Whether the range is searched in log space.
    public var isLogarithmic: Bool {
        switch self {
        case .logUniform: true
        case .int(_, _, _, let log): log
        default: false
        }
    }

    /// The number of categories of a choice, or of distinct values of an integer range (`nil` for floats).
    public var cardinality: Int? {
        switch self {
        case .choice(let values): values.count
        case .int(let low, let high, let step, _): (high - low) / step + 1
        default: nil
        }
    }

    /// The highest value an integer range can take (`high` snapped down onto the step grid).
    var intHigh: Int {
        guard case .int(let low, let high, let step, _) = self else { return 0 }
        return low + (high - low) / step * step
    }

    // MARK: the sampler's space

    /// Bounds of the space samplers model (log of the value for log ranges; integers widened by half a step so each
    /// value owns an equal interval; a choice's index range).
    var internalBounds: (low: Double, high: Double) {
        switch self {
        case .uniform(let low, let high): (low, high)
        case .logUniform(let low, let high): (Foundation.log(low), Foundation.log(high))
        case .int(let low, _, let step, let log):
            log
                ? (Foundation.log(Double(low) - 0.5), Foundation.log(Double(intHigh) + 0.5))
                : (Double(low) - Double(step) / 2, Double(intHigh) + Double(step) / 2)
        case .choice(let values): (0, Double(values.count))
        }
    }

    /// A value's coordinate in the sampler's space (a choice's index; the log of a log-range value).
    func internalValue(of value: ParameterValue) -> Double? {
        switch self {
        case .uniform: return value.doubleValue
        case .logUniform: return value.doubleValue.flatMap { $0 > 0 ? Foundation.log($0) : nil }
        case .int(_, _, _, let log):
            guard let number = value.doubleValue else { return nil }
            return log ? Foundation.log(number) : number
        case .choice(let values):
            return values.firstIndex(of: value).map(Double.init)
        }
    }

    /// The value at a coordinate of the sampler's space, clamped into the range (integers and choices rounded).
    func value(atInternal x: Double) -> ParameterValue {
        switch self {
        case .uniform(let low, let high):
            return .double(Swift.min(Swift.max(x, low), high))
        case .logUniform(let low, let high):
            return .double(Swift.min(Swift.max(Foundation.exp(x), low), high))
        case .int(let low, _, let step, let log):
            let raw = log ? Foundation.exp(x) : x
            let index = ((raw - Double(low)) / Double(step)).rounded()
            let clamped = Swift.min(Swift.max(index, 0), Double((intHigh - low) / step))
            return .int(low + Int(clamped) * step)
        case .choice(let values):
            let index = Int(Swift.min(Swift.max(x.rounded(.down), 0), Double(values.count - 1)))
            return values[index]
        }
    }

    /// The value at `u` ∈ [0, 1): uniform over the sampler's space (so log ranges are log-uniform and each integer and
    /// choice gets an equal share).
    public func value(atUnit u: Double) -> ParameterValue {
        let (low, high) = internalBounds
        let u = Swift.min(Swift.max(u, 0), 1)
        if case .choice(let values) = self {
            return values[Swift.min(Int(u * Double(values.count)), values.count - 1)]
        }
        return value(atInternal: low + u * (high - low))
    }

    /// `value`'s position in [0, 1] (the inverse of `value(atUnit:)`; a choice's category centre).
    func unit(of value: ParameterValue) -> Double? {
        guard let x = internalValue(of: value) else { return nil }
        let (low, high) = internalBounds
        if isCategorical { return (x + 0.5) / (high - low) }
        return (x - low) / (high - low)
    }

    /// Whether `value` belongs to this distribution.
    func contains(_ value: ParameterValue) -> Bool {
        switch self {
        case .uniform(let low, let high):
            guard let x = value.doubleValue else { return false }
            return x >= low && x <= high
        case .logUniform(let low, let high):
            guard let x = value.doubleValue else { return false }
            return x >= low && x <= high
        case .int(let low, _, let step, _):
            guard let x = value.intValue else { return false }
            return x >= low && x <= intHigh && (x - low) % step == 0
        case .choice(let values):
            return values.contains(value)
        }
    }
}
