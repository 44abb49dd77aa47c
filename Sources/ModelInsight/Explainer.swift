// Explainer: one call for every attribution method: explain(function, x, method:, classIndex:).

/// An attribution method and its settings. Every random choice has a seed.
public enum AttributionMethod: Sendable {
    /// Exact interventional Shapley values against `background` (every coalition; at most `featureLimit` features,
    /// 14 by default: 2^14 coalitions × background rows of model evaluations).
    case exactShapley(background: [[Double]], featureLimit: Int = 14)
    /// KernelSHAP with a budget of `samples` coalitions (shap's default is 2·d + 2048).
    case kernelSHAP(background: [[Double]], samples: Int = 2048, seed: UInt64 = 0)
    /// Permutation SHAP over `permutations` orderings (in antithetic pairs).
    case permutationSHAP(background: [[Double]], permutations: Int = 10, seed: UInt64 = 0)
    /// LIME for tabular rows; `training` rows give the quartiles and bin frequencies.
    case lime(training: [[Double]], options: LIMEOptions = LIMEOptions())
    /// LIME for images over `patch` × `patch` superpixels (1,000 samples by default).
    case imageLIME(patch: Int = 2, hideValue: Double? = nil, options: LIMEOptions = LIMEOptions(samples: 1000))
    /// |∂f/∂x|.
    case saliency
    /// x · ∂f/∂x.
    case gradientTimesInput
    /// Integrated gradients from `baseline` (zeros when nil) with `steps` quadrature points.
    case integratedGradients(baseline: [Double]? = nil, steps: Int = 50, rule: QuadratureRule = .gaussLegendre)
    /// The mean gradient over noisy copies of x.
    case smoothGrad(samples: Int = 50, noiseLevel: Double = 0.15, seed: UInt64 = 0)
    /// Occlusion with a sliding window (images only).
    case occlusion(window: Int = 2, stride: Int = 1, fill: Double = 0)

    /// The method's name, as `explain(..., method: .name(...))` spells it.
    public var name: String {
        switch self {
        case .exactShapley: return "exactShapley"
        case .kernelSHAP: return "kernelSHAP"
        case .permutationSHAP: return "permutationSHAP"
        case .lime: return "lime"
        case .imageLIME: return "imageLIME"
        case .saliency: return "saliency"
        case .gradientTimesInput: return "gradientTimesInput"
        case .integratedGradients: return "integratedGradients"
        case .smoothGrad: return "smoothGrad"
        case .occlusion: return "occlusion"
        }
    }

    /// Whether the method needs input gradients.
    public var needsGradients: Bool {
        switch self {
        case .saliency, .gradientTimesInput, .integratedGradients, .smoothGrad: return true
        default: return false
        }
    }
}

/// Explains single predictions and sets of them.
public enum Explainer {
    /// The attributions of `function`'s output `classIndex` at row `x`.
    ///
    /// - Parameter progress: called between chunks of work; return `true` to stop (see ``ProgressHandler``).
    /// - Throws: `InsightError` for bad input (wrong feature count, NaN, class out of range, an image method on
    ///   tabular rows, a gradient method on a function without gradients), too many features for exact Shapley
    ///   values, or a cancellation where nothing usable finished.
    public static func explain(
        _ function: ModelFunction, _ x: [Double], method: AttributionMethod, classIndex: Int = 0,
        progress: ProgressHandler? = nil
    ) throws -> Explanation {
        switch method {
        case .exactShapley(let background, let limit):
            return try ShapleyMethods.exact(
                function, x: x, background: background, classIndex: classIndex, featureLimit: limit, progress: progress)
        case .kernelSHAP(let background, let samples, let seed):
            return try ShapleyMethods.kernel(
                function, x: x, background: background, samples: samples, seed: seed, classIndex: classIndex,
                progress: progress)
        case .permutationSHAP(let background, let permutations, let seed):
            return try ShapleyMethods.permutation(
                function, x: x, background: background, permutations: permutations, seed: seed,
                classIndex: classIndex, progress: progress)
        case .lime(let training, let options):
            return try LIME.tabular(
                function, x: x, training: training, options: options, classIndex: classIndex, progress: progress)
        case .imageLIME(let patch, let hideValue, let options):
            return try LIME.image(
                function, x: x, patch: patch, hideValue: hideValue, options: options, classIndex: classIndex,
                progress: progress)
        case .saliency:
            return try GradientMethods.saliency(function, x: x, classIndex: classIndex)
        case .gradientTimesInput:
            return try GradientMethods.gradientTimesInput(function, x: x, classIndex: classIndex)
        case .integratedGradients(let baseline, let steps, let rule):
            return try GradientMethods.integratedGradients(
                function, x: x, baseline: baseline, steps: steps, rule: rule, classIndex: classIndex,
                progress: progress)
        case .smoothGrad(let samples, let noiseLevel, let seed):
            return try GradientMethods.smoothGrad(
                function, x: x, samples: samples, noiseLevel: noiseLevel, seed: seed, classIndex: classIndex,
                progress: progress)
        case .occlusion(let window, let stride, let fill):
            return try Occlusion.occlusion(
                function, x: x, window: (window, window), stride: (stride, stride), fill: fill, classIndex: classIndex,
                progress: progress)
        }
    }

    /// Explanations of many rows with one method: the global views (mean |φ|, beeswarm) read them.
    ///
    /// `progress` sees `rows` (rows finished of all), between rows and between chunks of a row's own work; when it
    /// returns `true` the rows finished so far are returned, with `isComplete == false` (a row stopped part-way is
    /// dropped). Stopped before any row finished, it throws `InsightError` of kind `.cancelled`.
    public static func explainAll(
        _ function: ModelFunction, _ rows: [[Double]], method: AttributionMethod, classIndex: Int = 0,
        progress: ProgressHandler? = nil
    ) throws -> ExplanationSet {
        var explanations: [Explanation] = []
        var stopped = false
        func stop() throws -> ExplanationSet {
            guard !explanations.isEmpty else {
                throw InsightError(
                    .cancelled, "explainAll", "stopped before the first of \(rows.count) rows finished; nothing is kept"
                )
            }
            return ExplanationSet(explanations, isComplete: false, requested: rows.count)
        }
        for (index, row) in rows.enumerated() {
            // Within a row, the count of finished rows stays at `index`; a stop there ends the row's own work.
            let rowProgress: ProgressHandler? = progress.map { outer in
                { _ in
                    stopped = stopped || outer(InsightProgress(phase: "rows", completed: index, total: rows.count))
                    return stopped
                }
            }
            let explanation: Explanation
            do {
                explanation = try explain(function, row, method: method, classIndex: classIndex, progress: rowProgress)
            } catch let error as InsightError where error.kind == .cancelled && stopped {
                return try stop()
            } catch let error as InsightError where error.kind == .invalidArgument && error.reason.hasPrefix("x ") {
                // "x has 4 features; …" about the whole call reads "row 3 has 4 features; …".
                throw InsightError(error.kind, error.operation, "row \(index)" + error.reason.dropFirst(1))
            }
            if stopped { return try stop() }
            explanations.append(explanation)
            if let progress, progress(InsightProgress(phase: "rows", completed: index + 1, total: rows.count)),
                index + 1 < rows.count
            {
                return ExplanationSet(explanations, isComplete: false, requested: rows.count)
            }
        }
        return ExplanationSet(explanations, isComplete: true, requested: rows.count)
    }
}
