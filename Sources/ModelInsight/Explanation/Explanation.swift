// Explanation: one row's attributions, with what they add up to and how far to trust that.

/// The attributions of one prediction: for each feature, how much it moved the output of class `classIndex` away
/// from the base value, and a check of the method's own guarantee.
///
/// For Shapley methods `baseValue` is E f over the background and Σ attributions = prediction − baseValue
/// (efficiency); for integrated gradients `baseValue` is f(baseline) and the same sum holds up to the quadrature
/// error (completeness); LIME reports its surrogate's intercept and fit instead.
public struct Explanation: Sendable, Hashable {
    /// The method and its settings, as shown (`KernelSHAP (2048 coalitions, 50 background rows)`).
    public var method: String
    public var featureNames: [String]
    /// The explained row, flat (an image row-major).
    public var values: [Double]
    /// One attribution per feature (per pixel for images).
    public var attributions: [Double]
    /// The reference output: E f over the background (SHAP), f(baseline) (gradients), the intercept (LIME).
    public var baseValue: Double
    /// f(x) for the explained class.
    public var prediction: Double
    public var check: Check
    public var classIndex: Int
    public var className: String
    /// How the row is an image, for the heat-map view (`nil` for tabular rows).
    public var image: ImageLayout?
    /// LIME's readable conditions (`2.45 < petal length ≤ 4.35`), one per feature, or `nil`.
    public var conditions: [String]?
    /// False when the progress handler stopped a sampling method early: the estimate uses what finished.
    public var isComplete: Bool
    /// Rows the model evaluated to produce this explanation.
    public var modelEvaluations: Int

    /// The method's guarantee, and how far this explanation is from it.
    public enum Check: Sendable, Hashable {
        /// Shapley efficiency: gap = Σφ − (f(x) − E f).
        case efficiency(gap: Double)
        /// Integrated gradients completeness: gap = Σ attributions − (f(x) − f(baseline)); `relative` divides it by
        /// |f(x) − f(baseline)|.
        case completeness(gap: Double, relative: Double)
        /// A local surrogate (LIME): the weighted R² of the fit and surrogate(x) − f(x).
        case surrogateFit(r2: Double, predictionGap: Double)
        /// No guarantee (saliency, SmoothGrad, occlusion).
        case none

        /// The check as one line of text.
        public var summary: String {
            switch self {
            case .efficiency(let gap): return "efficiency: Σφ − (f(x) − E f) = \(Explanation.format(gap))"
            case .completeness(let gap, let relative):
                return "completeness: Σ attributions − (f(x) − f(baseline)) = \(Explanation.format(gap))"
                    + " (\(Explanation.format(relative * 100, digits: 2))% of the difference)"
            case .surrogateFit(let r2, let gap):
                return "surrogate: weighted R² = \(Explanation.format(r2, digits: 3)),"
                    + " surrogate(x) − f(x) = \(Explanation.format(gap))"
            case .none: return "no additivity guarantee for this method"
            }
        }
    }

    public init(
        method: String, featureNames: [String], values: [Double], attributions: [Double], baseValue: Double,
        prediction: Double, check: Check, classIndex: Int, className: String, image: ImageLayout? = nil,
        conditions: [String]? = nil, isComplete: Bool = true, modelEvaluations: Int = 0
    ) {
        self.method = method
        self.featureNames = featureNames
        self.values = values
        self.attributions = attributions
        self.baseValue = baseValue
        self.prediction = prediction
        self.check = check
        self.classIndex = classIndex
        self.className = className
        self.image = image
        self.conditions = conditions
        self.isComplete = isComplete
        self.modelEvaluations = modelEvaluations
    }

    /// Feature indices by decreasing |attribution| (ties by index).
    public var ranking: [Int] {
        attributions.indices.sorted { a, b in
            abs(attributions[a]) != abs(attributions[b]) ? abs(attributions[a]) > abs(attributions[b]) : a < b
        }
    }

    /// Σ attributions.
    public var total: Double { attributions.reduce(0, +) }
}
