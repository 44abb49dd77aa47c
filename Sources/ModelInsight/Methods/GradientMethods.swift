// GradientMethods: saliency, gradient × input, integrated gradients and SmoothGrad, from input gradients of a
// differentiable ModelFunction.
import Foundation

enum GradientMethods {
    /// |∂f/∂x| (Simonyan et al., 2014; Captum's `Saliency` with `abs=True`).
    static func saliency(_ function: ModelFunction, x: [Double], classIndex: Int) throws -> Explanation {
        let operation = "saliency"
        try function.checkRow(x, name: "x", operation: operation)
        try function.checkClass(classIndex, operation: operation)
        let (outputs, gradient) = try function.gradients(x, count: 1, classIndex: classIndex, operation: operation)
        return Explanation(
            method: "saliency |∂f/∂x|", featureNames: function.featureNames, values: x,
            attributions: gradient.map { abs($0) }, baseValue: 0, prediction: outputs[0], check: .none,
            classIndex: classIndex, className: function.classNames[classIndex], image: function.image,
            modelEvaluations: 1)
    }

    /// x · ∂f/∂x (Captum's `InputXGradient`).
    static func gradientTimesInput(_ function: ModelFunction, x: [Double], classIndex: Int) throws -> Explanation {
        let operation = "gradientTimesInput"
        try function.checkRow(x, name: "x", operation: operation)
        try function.checkClass(classIndex, operation: operation)
        let (outputs, gradient) = try function.gradients(x, count: 1, classIndex: classIndex, operation: operation)
        return Explanation(
            method: "gradient × input", featureNames: function.featureNames, values: x,
            attributions: zip(gradient, x).map { $0 * $1 }, baseValue: 0, prediction: outputs[0], check: .none,
            classIndex: classIndex, className: function.classNames[classIndex], image: function.image,
            modelEvaluations: 1)
    }

    /// Integrated gradients (Sundararajan et al., 2017): (x − x′) · ∫₀¹ ∂f/∂x(x′ + α(x − x′)) dα, the integral by
    /// `rule` on `steps` points; completeness Σ attributions = f(x) − f(x′) holds up to the quadrature error, which
    /// the explanation reports.
    static func integratedGradients(
        _ function: ModelFunction, x: [Double], baseline: [Double]?, steps: Int, rule: QuadratureRule,
        classIndex: Int, stepsPerCall: Int = 256, progress: ProgressHandler?
    ) throws -> Explanation {
        let operation = "integratedGradients"
        try function.checkRow(x, name: "x", operation: operation)
        try function.checkClass(classIndex, operation: operation)
        let d = function.featureCount
        let reference = baseline ?? Array(repeating: 0, count: d)
        try function.checkRow(reference, name: "baseline", operation: operation)
        guard steps >= 1 else {
            throw InsightError(.invalidArgument, operation, "steps must be at least 1, got \(steps)")
        }
        let (alphas, weights) = rule.nodes(steps: steps)
        var integral = [Double](repeating: 0, count: d)
        var start = 0
        while start < alphas.count {
            let end = min(alphas.count, start + max(1, stepsPerCall))
            var rows = [Double](repeating: 0, count: (end - start) * d)
            for k in start..<end {
                for j in 0..<d { rows[(k - start) * d + j] = reference[j] + alphas[k] * (x[j] - reference[j]) }
            }
            let (_, gradients) = try function.gradients(
                rows, count: end - start, classIndex: classIndex, operation: operation)
            for k in start..<end {
                for j in 0..<d { integral[j] += weights[k] * gradients[(k - start) * d + j] }
            }
            start = end
            if let progress, progress(InsightProgress(phase: "steps", completed: start, total: alphas.count)),
                start < alphas.count
            {
                throw InsightError(
                    .cancelled, operation, "stopped after \(start) of \(alphas.count) steps; the integral needs all")
            }
        }
        let attributions = (0..<d).map { (x[$0] - reference[$0]) * integral[$0] }
        let ends = try function.evaluate(x + reference, count: 2, classIndex: classIndex)
        let difference = ends[0] - ends[1]
        let gap = attributions.reduce(0, +) - difference
        return Explanation(
            method: "integrated gradients (\(steps) steps, \(rule.displayName)"
                + (baseline == nil ? ", zero baseline)" : ", given baseline)"),
            featureNames: function.featureNames, values: x, attributions: attributions, baseValue: ends[1],
            prediction: ends[0],
            check: .completeness(
                gap: gap, relative: difference == 0 ? (gap == 0 ? 0 : .infinity) : abs(gap / difference)),
            classIndex: classIndex, className: function.classNames[classIndex], image: function.image,
            modelEvaluations: alphas.count + 2)
    }

    /// SmoothGrad (Smilkov et al., 2017): the mean gradient over `samples` copies of x with Gaussian noise of standard
    /// deviation `noiseLevel · (max x − min x)` (a constant row: `noiseLevel`).
    static func smoothGrad(
        _ function: ModelFunction, x: [Double], samples: Int, noiseLevel: Double, seed: UInt64, classIndex: Int,
        progress: ProgressHandler?
    ) throws -> Explanation {
        let operation = "smoothGrad"
        try function.checkRow(x, name: "x", operation: operation)
        try function.checkClass(classIndex, operation: operation)
        guard samples >= 1 else {
            throw InsightError(.invalidArgument, operation, "samples must be at least 1, got \(samples)")
        }
        guard noiseLevel >= 0, noiseLevel.isFinite else {
            throw InsightError(.invalidArgument, operation, "noiseLevel must be finite and ≥ 0, got \(noiseLevel)")
        }
        let d = function.featureCount
        let range = (x.max() ?? 0) - (x.min() ?? 0)
        let sigma = noiseLevel * (range > 0 ? range : 1)
        var random = SeededRandom(seed: seed)
        var sum = [Double](repeating: 0, count: d)
        var done = 0
        var stopped = false
        let chunk = 64
        while done < samples && !stopped {
            let count = min(chunk, samples - done)
            var rows = [Double](repeating: 0, count: count * d)
            for i in 0..<count { for j in 0..<d { rows[i * d + j] = x[j] + sigma * random.normal() } }
            let (_, gradients) = try function.gradients(
                rows, count: count, classIndex: classIndex, operation: operation)
            for i in 0..<count { for j in 0..<d { sum[j] += gradients[i * d + j] } }
            done += count
            if let progress, progress(InsightProgress(phase: "samples", completed: done, total: samples)),
                done < samples
            {
                stopped = true
            }
        }
        let prediction = try function.evaluate(x, count: 1, classIndex: classIndex)[0]
        return Explanation(
            method: "SmoothGrad (\(done) samples, noise \(Explanation.format(noiseLevel, digits: 3)) of the range,"
                + " seed \(seed))",
            featureNames: function.featureNames, values: x, attributions: sum.map { $0 / Double(done) }, baseValue: 0,
            prediction: prediction, check: .none, classIndex: classIndex, className: function.classNames[classIndex],
            image: function.image, isComplete: !stopped, modelEvaluations: done + 1)
    }
}

extension QuadratureRule {
    var displayName: String {
        switch self {
        case .gaussLegendre: return "Gauss–Legendre"
        case .riemannLeft: return "left Riemann"
        case .riemannRight: return "right Riemann"
        case .riemannMiddle: return "midpoint"
        case .riemannTrapezoid: return "trapezoid"
        }
    }
}

enum Occlusion {
    /// Square patches of `patch` pixels tiling the image (the last row and column of patches may be smaller); each
    /// patch lists its pixel indices (row-major, one channel).
    static func patchSegments(_ layout: ImageLayout, patch: Int) -> [[Int]] {
        var segments: [[Int]] = []
        for top in stride(from: 0, to: layout.height, by: patch) {
            for left in stride(from: 0, to: layout.width, by: patch) {
                var pixels: [Int] = []
                for row in top..<min(layout.height, top + patch) {
                    for column in left..<min(layout.width, left + patch) { pixels.append(row * layout.width + column) }
                }
                segments.append(pixels)
            }
        }
        return segments
    }

    /// Occlusion (Zeiler & Fergus, 2014; Captum's `Occlusion`): a window slides over the image (all channels) with
    /// `stride`; each pixel's attribution is the mean of f(x) − f(x with the window set to `fill`) over the windows
    /// that cover it (0 for pixels no window covers).
    static func occlusion(
        _ function: ModelFunction, x: [Double], window: (height: Int, width: Int), stride strides: (Int, Int),
        fill: Double, classIndex: Int, progress: ProgressHandler?
    ) throws -> Explanation {
        let operation = "occlusion"
        let layout = try function.requireImage(operation: operation)
        try function.checkRow(x, name: "x", operation: operation)
        try function.checkClass(classIndex, operation: operation)
        guard window.height >= 1, window.width >= 1, window.height <= layout.height, window.width <= layout.width else {
            throw InsightError(
                .invalidArgument, operation,
                "the window \(window.height)×\(window.width) must fit the \(layout.height)×\(layout.width) image")
        }
        guard strides.0 >= 1, strides.1 >= 1 else {
            throw InsightError(.invalidArgument, operation, "strides must be at least 1, got \(strides)")
        }
        let d = function.featureCount
        var positions: [(Int, Int)] = []
        for top in stride(from: 0, through: layout.height - window.height, by: strides.0) {
            for left in stride(from: 0, through: layout.width - window.width, by: strides.1) {
                positions.append((top, left))
            }
        }
        var rows = [Double](repeating: 0, count: positions.count * d)
        for (k, (top, left)) in positions.enumerated() {
            for j in 0..<d { rows[k * d + j] = x[j] }
            for c in 0..<layout.channels {
                for row in top..<(top + window.height) {
                    for column in left..<(left + window.width) {
                        rows[k * d + c * layout.pixelCount + row * layout.width + column] = fill
                    }
                }
            }
        }
        let (values, stopped) = try LIME.evaluateInChunks(
            function, rows, count: positions.count, classIndex: classIndex, progress: progress, phase: "windows")
        if stopped {
            throw InsightError(
                .cancelled, operation, "stopped after \(values.count) of \(positions.count) windows")
        }
        let prediction = try function.evaluate(x, count: 1, classIndex: classIndex)[0]
        var total = [Double](repeating: 0, count: layout.pixelCount)
        var covered = [Double](repeating: 0, count: layout.pixelCount)
        for (k, (top, left)) in positions.enumerated() {
            for row in top..<(top + window.height) {
                for column in left..<(left + window.width) {
                    total[row * layout.width + column] += prediction - values[k]
                    covered[row * layout.width + column] += 1
                }
            }
        }
        var attributions = [Double](repeating: 0, count: d)
        for c in 0..<layout.channels {
            for p in 0..<layout.pixelCount where covered[p] > 0 {
                attributions[c * layout.pixelCount + p] = total[p] / covered[p]
            }
        }
        return Explanation(
            method: "occlusion (\(window.height)×\(window.width) window, stride \(strides.0)×\(strides.1),"
                + " fill \(Explanation.format(fill)))",
            featureNames: function.featureNames, values: x, attributions: attributions, baseValue: 0,
            prediction: prediction, check: .none, classIndex: classIndex, className: function.classNames[classIndex],
            image: layout, modelEvaluations: positions.count + 1)
    }
}
