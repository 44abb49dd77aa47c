// InsightProgress: what a long attribution reports to its caller, and how the caller stops it.

/// How far a long computation is: `completed` of `total` units (coalitions, permutations, samples, rows).
public struct InsightProgress: Sendable, Equatable {
    /// What is being done (`coalitions`, `permutations`, `samples`, `steps`, `windows`, `rows`).
    public var phase: String
    public var completed: Int
    public var total: Int

    public init(phase: String, completed: Int, total: Int) {
        self.phase = phase
        self.completed = completed
        self.total = total
    }

    /// `completed / total` in 0...1.
    public var fraction: Double { total > 0 ? min(1, Double(completed) / Double(total)) : 1 }
}

/// Called between chunks of work (about every model call); returning `true` stops the computation.
///
/// Sampling methods (KernelSHAP, permutation SHAP, LIME, SmoothGrad) then return the estimate from what finished,
/// marked `isComplete == false`; `Explainer.explainAll` returns the rows that finished. Methods with no meaningful
/// partial result (exact Shapley, integrated gradients, occlusion) throw `InsightError` of kind `.cancelled`.
public typealias ProgressHandler = (InsightProgress) -> Bool
