// LIME (Ribeiro, Singh & Guestrin, 2016) as the `lime` package computes it: tabular rows with its documented defaults
// (quartile discretization, 5,000 samples, kernel width 0.75·√d, weighted ridge, feature selection), and images over
// square patches as superpixels.
import Foundation

/// LIME's settings; the defaults are the `lime` package's.
public struct LIMEOptions: Sendable, Hashable {
    /// Perturbed samples, the explained row first (5,000; images 1,000).
    public var samples: Int
    /// The exponential kernel's width; `nil` is 0.75·√d for tabular rows, 0.25 for images (cosine distance).
    public var kernelWidth: Double?
    /// Features kept in the surrogate (10).
    public var featureCount: Int
    public var featureSelection: FeatureSelection
    /// The ridge penalty of the surrogate (1).
    public var ridgeAlpha: Double
    public var seed: UInt64

    /// How LIME picks the surrogate's features.
    public enum FeatureSelection: String, Sendable, Hashable {
        /// Forward selection up to 6 features, highest weights above (LIME's `auto`).
        case auto
        /// Greedily add the feature that most raises the weighted R².
        case forwardSelection
        /// Fit all, keep the largest |coefficient × value|.
        case highestWeights
        /// Keep all features.
        case none
    }

    public init(
        samples: Int = 5000, kernelWidth: Double? = nil, featureCount: Int = 10,
        featureSelection: FeatureSelection = .auto,
        ridgeAlpha: Double = 1, seed: UInt64 = 0
    ) {
        self.samples = samples
        self.kernelWidth = kernelWidth
        self.featureCount = featureCount
        self.featureSelection = featureSelection
        self.ridgeAlpha = ridgeAlpha
        self.seed = seed
    }
}

/// LIME's quartile discretizer, fitted on training rows: bin edges at the 25th, 50th and 75th percentiles (NumPy's
/// linear interpolation, repeated edges merged), and each bin's mean, standard deviation, bounds and frequency.
struct QuartileDiscretizer {
    var edges: [[Double]] = []
    var means: [[Double]] = []
    var deviations: [[Double]] = []
    var lower: [[Double]] = []
    var upper: [[Double]] = []
    var frequencies: [[Double]] = []
    /// Mean and population standard deviation of each feature's bin index over the training rows (LIME's scaler).
    var indexMean: [Double] = []
    var indexScale: [Double] = []

    static func percentile(_ sorted: [Double], _ q: Double) -> Double {
        let position = q / 100 * Double(sorted.count - 1)
        let low = Int(position.rounded(.down))
        let high = min(sorted.count - 1, low + 1)
        return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
    }

    /// The bin of `value`: the number of edges below it (NumPy `searchsorted`, left).
    static func bin(_ value: Double, _ edges: [Double]) -> Int { edges.filter { $0 < value }.count }

    init(training rows: [[Double]], featureCount d: Int) {
        for j in 0..<d {
            let column = rows.map { $0[j] }
            let sorted = column.sorted()
            var qs: [Double] = []
            for q in [25.0, 50, 75] {
                let value = QuartileDiscretizer.percentile(sorted, q)
                if qs.last != value { qs.append(value) }
            }
            let bins = column.map { QuartileDiscretizer.bin($0, qs) }
            var binMeans: [Double] = []
            var binDeviations: [Double] = []
            var binFrequencies: [Double] = []
            for b in 0...qs.count {
                let selection = zip(column, bins).filter { $0.1 == b }.map(\.0)
                let mean = selection.isEmpty ? 0 : selection.reduce(0, +) / Double(selection.count)
                let variance =
                    selection.isEmpty
                    ? 0 : selection.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(selection.count)
                binMeans.append(mean)
                binDeviations.append(variance.squareRoot() + 1e-11)
                binFrequencies.append(Double(selection.count) / Double(column.count))
            }
            edges.append(qs)
            means.append(binMeans)
            deviations.append(binDeviations)
            lower.append([sorted.first ?? 0] + qs)
            upper.append(qs + [sorted.last ?? 0])
            frequencies.append(binFrequencies)
            let indexMean = bins.reduce(0) { $0 + Double($1) } / Double(bins.count)
            let indexVariance =
                bins.reduce(0) { $0 + (Double($1) - indexMean) * (Double($1) - indexMean) } / Double(bins.count)
            self.indexMean.append(indexMean)
            self.indexScale.append(indexVariance > 0 ? indexVariance.squareRoot() : 1)
        }
    }

    /// A value from bin `b` of feature `j`: a normal with the bin's mean and deviation, truncated to its bounds.
    func sample(feature j: Int, bin b: Int, using random: inout SeededRandom) -> Double {
        let mean = means[j][b]
        let deviation = deviations[j][b]
        let low = lower[j][b]
        let high = upper[j][b]
        guard high > low else { return low }
        for _ in 0..<64 {
            let value = mean + deviation * random.normal()
            if value >= low && value <= high { return value }
        }
        return low + (high - low) * random.uniform()
    }

    /// LIME's condition text for bin `b` of a feature.
    func condition(feature j: Int, bin b: Int, name: String) -> String {
        let qs = edges[j]
        func text(_ value: Double) -> String { String(format: "%.2f", value) }
        if qs.isEmpty { return name }
        if b == 0 { return "\(name) ≤ \(text(qs[0]))" }
        if b == qs.count { return "\(name) > \(text(qs[qs.count - 1]))" }
        return "\(text(qs[b - 1])) < \(name) ≤ \(text(qs[b]))"
    }
}

enum LIME {
    static func tabular(
        _ function: ModelFunction, x: [Double], training: [[Double]], options: LIMEOptions, classIndex: Int,
        progress: ProgressHandler?
    ) throws -> Explanation {
        let operation = "lime"
        try function.checkRow(x, name: "x", operation: operation)
        try function.checkClass(classIndex, operation: operation)
        _ = try function.checkBackground(training, operation: operation)
        guard options.samples >= 2 else {
            throw InsightError(.invalidArgument, operation, "samples must be at least 2, got \(options.samples)")
        }
        guard options.featureCount >= 1 else {
            throw InsightError(
                .invalidArgument, operation, "featureCount must be at least 1, got \(options.featureCount)")
        }
        let d = function.featureCount
        let discretizer = QuartileDiscretizer(training: training, featureCount: d)
        var random = SeededRandom(seed: options.seed)
        let n = options.samples
        let ownBins = (0..<d).map { QuartileDiscretizer.bin(x[$0], discretizer.edges[$0]) }
        // binary[i][j] = 1 when sample i falls in x's bin of feature j; inverse holds the sampled values.
        var binary = [Double](repeating: 1, count: n * d)
        var inverse = [Double](repeating: 0, count: n * d)
        for j in 0..<d { inverse[j] = x[j] }
        for j in 0..<d {
            let frequencies = discretizer.frequencies[j]
            let total = frequencies.reduce(0, +)
            for i in 1..<n {
                let b = random.choose(weights: frequencies, total: total)
                binary[i * d + j] = b == ownBins[j] ? 1 : 0
                inverse[i * d + j] = Double(b)
            }
        }
        for i in 1..<n {
            for j in 0..<d {
                inverse[i * d + j] = discretizer.sample(feature: j, bin: Int(inverse[i * d + j]), using: &random)
            }
        }
        // LIME scales the binary rows by the training bins' index statistics before distances and the fit.
        var scaled = binary
        for i in 0..<n {
            for j in 0..<d {
                scaled[i * d + j] = (binary[i * d + j] - discretizer.indexMean[j]) / discretizer.indexScale[j]
            }
        }
        let width = options.kernelWidth ?? 0.75 * Double(d).squareRoot()
        let weights = (0..<n).map { i -> Double in
            var squared = 0.0
            for j in 0..<d {
                let delta = scaled[i * d + j] - scaled[j]
                squared += delta * delta
            }
            return (exp(-squared / (width * width))).squareRoot()
        }
        let (labels, stopped) = try evaluateInChunks(
            function, inverse, count: n, classIndex: classIndex, progress: progress)
        let used = labels.count
        let data = Array(scaled.prefix(used * d))
        let usedWeights = Array(weights.prefix(used))
        let selected = selectFeatures(
            data, rows: used, columns: d, labels: labels, weights: usedWeights, count: options.featureCount,
            method: options.featureSelection)
        let surrogateData = (0..<used).flatMap { i in selected.map { data[i * d + $0] } }
        let fit = LinearAlgebra.weightedRidge(
            surrogateData, rows: used, columns: selected.count, y: labels, weights: usedWeights,
            alpha: options.ridgeAlpha)
        var attributions = [Double](repeating: 0, count: d)
        var localPrediction = fit.intercept
        for (k, j) in selected.enumerated() {
            attributions[j] = fit.coefficients[k]
            localPrediction += fit.coefficients[k] * data[j]
        }
        let prediction = labels[0]
        let conditions = (0..<d).map {
            discretizer.condition(feature: $0, bin: ownBins[$0], name: function.featureNames[$0])
        }
        return Explanation(
            method: "LIME (\(used) samples, kernel width \(Explanation.format(width, digits: 3)), \(selected.count)"
                + " features, seed \(options.seed))",
            featureNames: function.featureNames, values: x, attributions: attributions, baseValue: fit.intercept,
            prediction: prediction, check: .surrogateFit(r2: fit.r2, predictionGap: localPrediction - prediction),
            classIndex: classIndex, className: function.classNames[classIndex], image: function.image,
            conditions: conditions, isComplete: !stopped, modelEvaluations: used)
    }

    /// LIME for images: square patches are the superpixels; each sample keeps a random half of them and replaces the
    /// rest by `hideValue` (or, when nil, each patch's own mean, as `lime` does without a hide colour).
    static func image(
        _ function: ModelFunction, x: [Double], patch: Int, hideValue: Double?, options: LIMEOptions, classIndex: Int,
        progress: ProgressHandler?
    ) throws -> Explanation {
        let operation = "imageLIME"
        let layout = try function.requireImage(operation: operation)
        try function.checkRow(x, name: "x", operation: operation)
        try function.checkClass(classIndex, operation: operation)
        guard patch >= 1 else {
            throw InsightError(.invalidArgument, operation, "patch must be at least 1, got \(patch)")
        }
        guard options.samples >= 2 else {
            throw InsightError(.invalidArgument, operation, "samples must be at least 2, got \(options.samples)")
        }
        let segments = Occlusion.patchSegments(layout, patch: patch)
        let s = segments.count
        let d = function.featureCount
        var fill = [Double](repeating: hideValue ?? 0, count: s)
        if hideValue == nil {
            for (k, pixels) in segments.enumerated() {
                var sum = 0.0
                for c in 0..<layout.channels { for p in pixels { sum += x[c * layout.pixelCount + p] } }
                fill[k] = sum / Double(pixels.count * layout.channels)
            }
        }
        var random = SeededRandom(seed: options.seed)
        let n = options.samples
        var binary = [Double](repeating: 1, count: n * s)
        for i in 1..<n { for k in 0..<s { binary[i * s + k] = random.int(below: 2) == 1 ? 1 : 0 } }
        var rows = [Double](repeating: 0, count: n * d)
        for i in 0..<n {
            for j in 0..<d { rows[i * d + j] = x[j] }
            for k in 0..<s where binary[i * s + k] == 0 {
                for c in 0..<layout.channels {
                    for p in segments[k] { rows[i * d + c * layout.pixelCount + p] = fill[k] }
                }
            }
        }
        let width = options.kernelWidth ?? 0.25
        let weights = (0..<n).map { i -> Double in
            let on = (0..<s).reduce(0.0) { $0 + binary[i * s + $1] }
            let distance = on == 0 ? 1 : 1 - (on / Double(s)).squareRoot()
            return (exp(-distance * distance / (width * width))).squareRoot()
        }
        let (labels, stopped) = try evaluateInChunks(
            function, rows, count: n, classIndex: classIndex, progress: progress)
        let used = labels.count
        let fit = LinearAlgebra.weightedRidge(
            Array(binary.prefix(used * s)), rows: used, columns: s, y: labels, weights: Array(weights.prefix(used)),
            alpha: options.ridgeAlpha)
        var attributions = [Double](repeating: 0, count: d)
        for (k, pixels) in segments.enumerated() {
            for c in 0..<layout.channels {
                for p in pixels { attributions[c * layout.pixelCount + p] = fit.coefficients[k] }
            }
        }
        let local = fit.intercept + fit.coefficients.reduce(0, +)
        return Explanation(
            method: "image LIME (\(used) samples, \(s) patches of \(patch)×\(patch), seed \(options.seed))",
            featureNames: function.featureNames, values: x, attributions: attributions, baseValue: fit.intercept,
            prediction: labels[0], check: .surrogateFit(r2: fit.r2, predictionGap: local - labels[0]),
            classIndex: classIndex, className: function.classNames[classIndex], image: layout, isComplete: !stopped,
            modelEvaluations: used)
    }

    /// The class outputs of `count` flat rows in calls of up to 4,096 rows; stops early when `progress` says so.
    static func evaluateInChunks(
        _ function: ModelFunction, _ rows: [Double], count: Int, classIndex: Int, progress: ProgressHandler?,
        phase: String = "samples"
    ) throws -> (values: [Double], stopped: Bool) {
        let d = function.featureCount
        let chunk = max(1, 4096)
        var values: [Double] = []
        var start = 0
        while start < count {
            let end = min(count, start + chunk)
            values += try function.evaluate(
                Array(rows[(start * d)..<(end * d)]), count: end - start, classIndex: classIndex)
            start = end
            if let progress, progress(InsightProgress(phase: phase, completed: start, total: count)), start < count {
                return (values, true)
            }
        }
        return (values, false)
    }

    /// LIME's feature selection on the scaled samples.
    static func selectFeatures(
        _ data: [Double], rows: Int, columns: Int, labels: [Double], weights: [Double], count: Int,
        method: LIMEOptions.FeatureSelection
    ) -> [Int] {
        let wanted = min(count, columns)
        func subset(_ features: [Int]) -> [Double] {
            (0..<rows).flatMap { i in features.map { data[i * columns + $0] } }
        }
        switch method {
        case .none: return Array(0..<columns)
        case .auto:
            return selectFeatures(
                data, rows: rows, columns: columns, labels: labels, weights: weights, count: count,
                method: count <= 6 ? .forwardSelection : .highestWeights)
        case .forwardSelection:
            var chosen: [Int] = []
            for _ in 0..<wanted {
                var best = -1
                var bestScore = -Double.infinity
                for j in 0..<columns where !chosen.contains(j) {
                    let fit = LinearAlgebra.weightedRidge(
                        subset(chosen + [j]), rows: rows, columns: chosen.count + 1, y: labels, weights: weights,
                        alpha: 0)
                    if fit.r2 > bestScore {
                        bestScore = fit.r2
                        best = j
                    }
                }
                if best >= 0 { chosen.append(best) }
            }
            return chosen
        case .highestWeights:
            let fit = LinearAlgebra.weightedRidge(
                data, rows: rows, columns: columns, y: labels, weights: weights, alpha: 0.01)
            let scores = (0..<columns).map { fit.coefficients[$0] * data[$0] }
            let order = (0..<columns).sorted {
                abs(scores[$0]) != abs(scores[$1]) ? abs(scores[$0]) > abs(scores[$1]) : $0 < $1
            }
            return Array(order.prefix(wanted))
        }
    }
}
