// ShapleyMethods: exact interventional Shapley values (all coalitions), KernelSHAP (weighted regression over sampled
// coalitions, as shap's KernelExplainer), permutation SHAP (antithetic permutations).
import Foundation

enum ShapleyMethods {
    /// The largest feature count exact Shapley values accept by default: 2^14 = 16,384 coalitions, each evaluated on
    /// every background row.
    static let defaultExactFeatureLimit = 14

    // MARK: exact

    static func exact(
        _ function: ModelFunction, x: [Double], background: [[Double]], classIndex: Int, featureLimit: Int,
        progress: ProgressHandler?
    ) throws -> Explanation {
        let operation = "exactShapley"
        try function.checkRow(x, name: "x", operation: operation)
        try function.checkClass(classIndex, operation: operation)
        let flatBackground = try function.checkBackground(background, operation: operation)
        let d = function.featureCount
        guard d <= featureLimit else {
            throw InsightError(
                .tooLarge, operation,
                "\(d) features need 2^\(d) coalitions × \(background.count) background rows of model evaluations;"
                    + " exact values are limited to \(featureLimit) features (2^\(featureLimit) coalitions)."
                    + " Use .kernelSHAP(background:samples:) or .permutationSHAP(background:permutations:), which"
                    + " estimate the same values and report how far their sum is from f(x) − E f")
        }
        var game = CoalitionGame(function: function, x: x, background: flatBackground, classIndex: classIndex)
        let count = 1 << d
        var masks = [Bool](repeating: false, count: count * d)
        for s in 0..<count {
            for j in 0..<d where s & (1 << j) != 0 { masks[s * d + j] = true }
        }
        let (v, stopped) = try game.values(masks: masks, count: count, phase: "coalitions", progress: progress)
        if stopped {
            throw InsightError(
                .cancelled, operation,
                "stopped after \(v.count) of \(count) coalitions; exact values need all of them")
        }
        // w(s) = s!(d − s − 1)!/d! = 1 / (d · C(d − 1, s))
        var weights = [Double](repeating: 0, count: max(d, 1))
        var binomial = 1.0
        for s in 0..<d {
            weights[s] = 1 / (Double(d) * binomial)
            binomial = binomial * Double(d - 1 - s) / Double(s + 1)
        }
        var phi = [Double](repeating: 0, count: d)
        for s in 0..<count {
            let size = s.nonzeroBitCount
            for j in 0..<d where s & (1 << j) == 0 {
                phi[j] += weights[size] * (v[s | (1 << j)] - v[s])
            }
        }
        let prediction = try function.evaluate(x, count: 1, classIndex: classIndex)[0]
        let base = v[0]
        return Explanation(
            method: "exact Shapley (\(count) coalitions, \(background.count) background rows)",
            featureNames: function.featureNames, values: x, attributions: phi, baseValue: base,
            prediction: prediction, check: .efficiency(gap: phi.reduce(0, +) - (prediction - base)),
            classIndex: classIndex, className: function.classNames[classIndex], image: function.image,
            modelEvaluations: game.evaluations + 1)
    }

    // MARK: KernelSHAP

    /// Lundberg & Lee's KernelSHAP as shap's `KernelExplainer` computes it (without its optional L1 selection):
    /// features equal to x in every background row get 0; subset sizes are enumerated completely while the budget
    /// allows (smallest and largest first), the rest sampled with their complements (paired), repeated draws adding
    /// weight; a weighted regression with the efficiency constraint eliminating the last feature.
    static func kernel(
        _ function: ModelFunction, x: [Double], background: [[Double]], samples: Int, seed: UInt64, classIndex: Int,
        progress: ProgressHandler?
    ) throws -> Explanation {
        let operation = "kernelSHAP"
        try function.checkRow(x, name: "x", operation: operation)
        try function.checkClass(classIndex, operation: operation)
        let flatBackground = try function.checkBackground(background, operation: operation)
        guard samples >= 1 else {
            throw InsightError(.invalidArgument, operation, "samples must be at least 1, got \(samples)")
        }
        let d = function.featureCount
        var game = CoalitionGame(function: function, x: x, background: flatBackground, classIndex: classIndex)
        let (prediction, base) = try game.endpoints()
        let varying = (0..<d).filter { j in background.contains { $0[j] != x[j] } }
        let m = varying.count
        var phi = [Double](repeating: 0, count: d)
        let describe = "KernelSHAP (\(samples) coalitions, \(background.count) background rows, seed \(seed))"
        func explanation(complete: Bool) -> Explanation {
            Explanation(
                method: describe, featureNames: function.featureNames, values: x, attributions: phi, baseValue: base,
                prediction: prediction, check: .efficiency(gap: phi.reduce(0, +) - (prediction - base)),
                classIndex: classIndex, className: function.classNames[classIndex], image: function.image,
                isComplete: complete, modelEvaluations: game.evaluations)
        }
        if m == 0 { return explanation(complete: true) }
        if m == 1 {
            phi[varying[0]] = prediction - base
            return explanation(complete: true)
        }
        // The coalitions (over the m varying features) and their kernel weights.
        var plan = KernelSamplePlan(players: m, samples: min(samples, (1 << min(m, 62)) - 2), seed: seed)
        plan.build()
        let count = plan.weights.count
        var masks = [Bool](repeating: false, count: count * d)
        var isVarying = [Bool](repeating: false, count: d)
        for j in varying { isVarying[j] = true }
        for s in 0..<count {
            for j in 0..<d where !isVarying[j] { masks[s * d + j] = true }
            for k in 0..<m where plan.masks[s * m + k] { masks[s * d + varying[k]] = true }
        }
        let (v, stopped) = try game.values(masks: masks, count: count, phase: "coalitions", progress: progress)
        var weights = Array(plan.weights.prefix(v.count))
        if stopped && v.count > plan.fixedCount {
            // Renormalise the random part of what finished to the weight the sampled sizes carry.
            let random = weights[plan.fixedCount...].reduce(0, +)
            if random > 0 {
                for i in plan.fixedCount..<weights.count { weights[i] *= plan.weightLeft / random }
            }
        }
        let used = v.count
        // Weighted least squares with Σφ = f(x) − E f: eliminate the last varying feature. With z a coalition's 0/1
        // row and l its last entry, the regressors are r = z[..<m−1] − l, so Σ w·r·rᵀ and Σ w·r·y follow from
        // A = Σ w·z·zᵀ and e = Σ w·y·z: G_ij = A_ij − A_i,last − A_j,last + A_last,last, moment_i = e_i − e_last.
        let total = prediction - base
        let columns = m - 1
        let (a, e) = ShapleyMethods.weightedMoments(
            masks: plan.masks, players: m, count: used, weights: weights,
            targets: (0..<used).map { v[$0] - base - (plan.masks[$0 * m + m - 1] ? total : 0) })
        var gram = [Double](repeating: 0, count: columns * columns)
        var moment = [Double](repeating: 0, count: columns)
        let last = m - 1
        for i in 0..<columns {
            moment[i] = e[i] - e[last]
            for j in 0..<columns {
                gram[i * columns + j] = a[i * m + j] - a[i * m + last] - a[j * m + last] + a[last * m + last]
            }
        }
        let solution = LinearAlgebra.solve(gram, moment, size: columns)
        for k in 0..<columns { phi[varying[k]] = solution[k] }
        phi[varying[m - 1]] = total - solution.reduce(0, +)
        return explanation(complete: !stopped)
    }

    /// A = Σ w·z·zᵀ (players × players) and e = Σ w·y·z over 0/1 coalition rows z. Each row costs the square of
    /// its smaller side: a large coalition is written through its complement z̄ (z·zᵀ = J − 1·z̄ᵀ − z̄·1ᵀ + z̄·z̄ᵀ).
    static func weightedMoments(
        masks: [Bool], players m: Int, count: Int, weights: [Double], targets: [Double]
    ) -> (a: [Double], e: [Double]) {
        var a = [Double](repeating: 0, count: m * m)
        var e = [Double](repeating: 0, count: m)
        var complementWeight = 0.0
        var complementTarget = 0.0
        var complementSums = [Double](repeating: 0, count: m)
        var complementTargets = [Double](repeating: 0, count: m)
        var set = [Int](repeating: 0, count: m)
        masks.withUnsafeBufferPointer { masks in
            a.withUnsafeMutableBufferPointer { a in
                for s in 0..<count {
                    let w = weights[s]
                    let y = w * targets[s]
                    let row = masks.baseAddress! + s * m
                    var setCount = 0
                    for j in 0..<m where row[j] { setCount += 1 }
                    let useComplement = setCount > m / 2
                    var size = 0
                    for j in 0..<m where row[j] != useComplement {
                        set[size] = j
                        size += 1
                    }
                    if useComplement {
                        complementWeight += w
                        complementTarget += y
                        for p in 0..<size {
                            complementSums[set[p]] += w
                            complementTargets[set[p]] += y
                        }
                    } else {
                        for p in 0..<size { e[set[p]] += y }
                    }
                    for p in 0..<size {
                        let base = set[p] * m
                        for q in p..<size { a[base + set[q]] += w }
                    }
                }
            }
        }
        for i in 0..<m {
            e[i] += complementTarget - complementTargets[i]
            for j in i..<m {
                a[i * m + j] += complementWeight - complementSums[i] - complementSums[j]
                a[j * m + i] = a[i * m + j]
            }
        }
        return (a, e)
    }

    // MARK: permutation SHAP

    /// Shapley values as the mean marginal contribution over random orderings of the features, each ordering used
    /// forwards and backwards (antithetic pairs: the two estimates are negatively correlated, which halves much of
    /// the variance). Every ordering's contributions sum to f(x) − E f exactly.
    static func permutation(
        _ function: ModelFunction, x: [Double], background: [[Double]], permutations: Int, seed: UInt64,
        classIndex: Int, progress: ProgressHandler?
    ) throws -> Explanation {
        let operation = "permutationSHAP"
        try function.checkRow(x, name: "x", operation: operation)
        try function.checkClass(classIndex, operation: operation)
        let flatBackground = try function.checkBackground(background, operation: operation)
        guard permutations >= 1 else {
            throw InsightError(.invalidArgument, operation, "permutations must be at least 1, got \(permutations)")
        }
        let d = function.featureCount
        let pairs = (permutations + 1) / 2
        var game = CoalitionGame(function: function, x: x, background: flatBackground, classIndex: classIndex)
        let (prediction, base) = try game.endpoints()
        var random = SeededRandom(seed: seed)
        var phi = [Double](repeating: 0, count: d)
        var orderings = 0
        // Pairs per model call, so that each call is large.
        let pairsPerCall = max(1, game.coalitionsPerCall / max(1, 2 * (d - 1)))
        var stopped = false
        var done = 0
        while done < pairs && !stopped {
            let batch = min(pairsPerCall, pairs - done)
            var orders: [[Int]] = []
            for _ in 0..<batch {
                let forward = random.permutation(d)
                orders.append(forward)
                orders.append(forward.reversed())
            }
            // Interior prefixes (sizes 1…d−1) of every ordering; ∅ and all features are base and prediction.
            let interior = max(0, d - 1)
            var masks = [Bool](repeating: false, count: orders.count * interior * d)
            for (o, order) in orders.enumerated() {
                for size in 1..<max(1, d) {
                    let row = (o * interior + size - 1) * d
                    for k in 0..<size { masks[row + order[k]] = true }
                }
            }
            let v = interior == 0 ? [] : try game.values(masks: masks, count: orders.count * interior)
            for (o, order) in orders.enumerated() {
                var previous = base
                for k in 0..<d {
                    let current = k == d - 1 ? prediction : v[o * interior + k]
                    phi[order[k]] += current - previous
                    previous = current
                }
            }
            orderings += orders.count
            done += batch
            if let progress, progress(InsightProgress(phase: "permutations", completed: 2 * done, total: 2 * pairs)),
                done < pairs
            {
                stopped = true
            }
        }
        for j in 0..<d { phi[j] /= Double(orderings) }
        return Explanation(
            method: "permutation SHAP (\(orderings) orderings in antithetic pairs, \(background.count) background rows,"
                + " seed \(seed))",
            featureNames: function.featureNames, values: x, attributions: phi, baseValue: base,
            prediction: prediction, check: .efficiency(gap: phi.reduce(0, +) - (prediction - base)),
            classIndex: classIndex, className: function.classNames[classIndex], image: function.image,
            isComplete: !stopped, modelEvaluations: game.evaluations)
    }
}

/// The coalitions KernelSHAP evaluates and their weights: shap's `KernelExplainer` scheme.
struct KernelSamplePlan {
    let players: Int
    let samples: Int
    var random: SeededRandom
    /// Coalitions, `players` flags each.
    var masks: [Bool] = []
    var weights: [Double] = []
    /// How many leading coalitions come from completely enumerated sizes.
    var fixedCount = 0
    /// The kernel weight the sampled sizes carry together.
    var weightLeft = 0.0

    init(players: Int, samples: Int, seed: UInt64) {
        self.players = players
        self.samples = samples
        self.random = SeededRandom(seed: seed)
    }

    private mutating func add(_ mask: [Bool], weight: Double) {
        masks += mask
        weights.append(weight)
    }

    static func binomial(_ n: Int, _ k: Int) -> Double {
        var result = 1.0
        for i in 0..<k { result = result * Double(n - i) / Double(i + 1) }
        return result
    }

    mutating func build() {
        let m = players
        let sizeCount = (m - 1 + 1) / 2  // ceil((m − 1) / 2)
        let pairedCount = (m - 1) / 2
        var weightVector = (1...max(1, sizeCount)).map { Double(m - 1) / (Double($0) * Double(m - $0)) }
        for i in 0..<pairedCount { weightVector[i] *= 2 }
        let sum = weightVector.reduce(0, +)
        weightVector = weightVector.map { $0 / sum }
        var fullSizes = 0
        var left = Double(samples)
        var remaining = weightVector
        for size in 1...max(1, sizeCount) where sizeCount >= 1 {
            var subsets = KernelSamplePlan.binomial(m, size)
            if size <= pairedCount { subsets *= 2 }
            guard left * remaining[size - 1] / subsets >= 1 - 1e-8 else { break }
            fullSizes += 1
            left -= subsets
            if remaining[size - 1] < 1 {
                let scale = 1 - remaining[size - 1]
                remaining = remaining.map { $0 / scale }
            }
            var w = weightVector[size - 1] / KernelSamplePlan.binomial(m, size)
            if size <= pairedCount { w /= 2 }
            // Every subset of this size, in lexicographic order (as itertools.combinations).
            var indices = Array(0..<size)
            while true {
                var mask = [Bool](repeating: false, count: m)
                for i in indices { mask[i] = true }
                add(mask, weight: w)
                if size <= pairedCount { add(mask.map { !$0 }, weight: w) }
                var i = size - 1
                while i >= 0 && indices[i] == i + m - size { i -= 1 }
                if i < 0 { break }
                indices[i] += 1
                for k in (i + 1)..<size { indices[k] = indices[k - 1] + 1 }
            }
        }
        fixedCount = weights.count
        var samplesLeft = samples - fixedCount
        guard fullSizes != sizeCount, samplesLeft > 0 else { return }
        var sampling = weightVector
        for i in 0..<pairedCount { sampling[i] /= 2 }
        sampling = Array(sampling[fullSizes...])
        let samplingTotal = sampling.reduce(0, +)
        // Coalitions as bit words, so that looking up a repeat hashes a few integers.
        func key(_ mask: [Bool]) -> [UInt64] {
            var words = [UInt64](repeating: 0, count: (m + 63) / 64)
            for (i, flag) in mask.enumerated() where flag { words[i / 64] |= 1 << UInt64(i % 64) }
            return words
        }
        var used: [[UInt64]: Int] = [:]
        var scratch = Array(0..<m)
        var draws = 0
        while samplesLeft > 0 && draws < 4 * (samples - fixedCount) {
            draws += 1
            let size = random.choose(weights: sampling, total: samplingTotal) + fullSizes + 1
            var mask = [Bool](repeating: false, count: m)
            for i in random.sample(size, from: &scratch) { mask[i] = true }
            let isNew: Bool
            let maskKey = key(mask)
            if let index = used[maskKey] {
                isNew = false
                weights[index] += 1
            } else {
                isNew = true
                used[maskKey] = weights.count
                samplesLeft -= 1
                add(mask, weight: 1)
            }
            if samplesLeft > 0 && size <= pairedCount {
                if isNew {
                    samplesLeft -= 1
                    add(mask.map { !$0 }, weight: 1)
                } else if let index = used[maskKey], index + 1 < weights.count {
                    weights[index + 1] += 1
                }
            }
        }
        weightLeft = weightVector[fullSizes...].reduce(0, +)
        let randomTotal = weights[fixedCount...].reduce(0, +)
        if randomTotal > 0 {
            for i in fixedCount..<weights.count { weights[i] *= weightLeft / randomTotal }
        }
    }
}
