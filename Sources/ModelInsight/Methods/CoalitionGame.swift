// CoalitionGame: the interventional value function of the Shapley methods: v(S) = mean over background rows b of
// f(x_S, b_rest) for one class, evaluated for many coalitions in few large model calls.

struct CoalitionGame {
    let function: ModelFunction
    let x: [Double]
    /// Background rows, flat (`backgroundCount × d`).
    let background: [Double]
    let backgroundCount: Int
    let classIndex: Int
    /// Rows per model call.
    let rowsPerCall: Int
    /// Model rows evaluated so far.
    private(set) var evaluations = 0

    init(function: ModelFunction, x: [Double], background: [Double], classIndex: Int, rowsPerCall: Int = 2048) {
        self.function = function
        self.x = x
        self.background = background
        self.backgroundCount = background.count / max(function.featureCount, 1)
        self.classIndex = classIndex
        self.rowsPerCall = rowsPerCall
        self.xFloat = x.map { Float($0) }
        self.backgroundFloat = background.map { Float($0) }
    }

    private let xFloat: [Float]
    private let backgroundFloat: [Float]

    /// Coalitions per model call.
    var coalitionsPerCall: Int { max(1, rowsPerCall / max(backgroundCount, 1)) }

    /// v for each coalition: `masks` holds `count` coalitions of `features` flags each (true: the feature takes x's
    /// value; false: the background row's).
    mutating func values(masks: [Bool], count: Int) throws -> [Double] {
        let d = function.featureCount
        let n = backgroundCount
        let k = function.outputCount
        let outputs: [Double]
        if let fillEvaluate = function.fillEvaluate {
            // Float32 rows written straight into the model's input. A row starts as whichever of the background row
            // and x differs from it in fewer places, and then those places are written: at most d/2 scattered stores.
            var features: [Int32] = []
            var offsets: [Int] = [0]
            var startsFromX: [Bool] = []
            features.reserveCapacity(count * d / 2)
            for c in 0..<count {
                let inCoalition = (0..<d).reduce(0) { $0 + (masks[c * d + $1] ? 1 : 0) }
                let fromX = inCoalition > d / 2
                startsFromX.append(fromX)
                // From x: the features outside the coalition take the background's values; else those inside take x's.
                for j in 0..<d where masks[c * d + j] != fromX { features.append(Int32(j)) }
                offsets.append(features.count)
            }
            let raw = try wrap {
                try fillEvaluate(count * n) { out in
                    backgroundFloat.withUnsafeBufferPointer { bg in
                        xFloat.withUnsafeBufferPointer { xs in
                            features.withUnsafeBufferPointer { list in
                                for c in 0..<count {
                                    let fromX = startsFromX[c]
                                    let first = offsets[c]
                                    let end = offsets[c + 1]
                                    for b in 0..<n {
                                        let row = out.baseAddress! + (c * n + b) * d
                                        let background = bg.baseAddress! + b * d
                                        if fromX {
                                            row.update(from: xs.baseAddress!, count: d)
                                            for f in first..<end {
                                                let j = Int(list[f])
                                                row[j] = background[j]
                                            }
                                        } else {
                                            row.update(from: background, count: d)
                                            for f in first..<end {
                                                let j = Int(list[f])
                                                row[j] = xs[j]
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            guard raw.count == count * n * k else {
                throw InsightError(
                    .modelFailed, "ModelFunction", "the model returned \(raw.count) values for \(count * n) rows")
            }
            outputs = raw.withUnsafeBufferPointer { r in (0..<(count * n)).map { Double(r[$0 * k + classIndex]) } }
        } else {
            var rows = [Double](repeating: 0, count: count * n * d)
            rows.withUnsafeMutableBufferPointer { out in
                background.withUnsafeBufferPointer { bg in
                    x.withUnsafeBufferPointer { xs in
                        for c in 0..<count {
                            for b in 0..<n {
                                let base = (c * n + b) * d
                                for j in 0..<d { out[base + j] = masks[c * d + j] ? xs[j] : bg[b * d + j] }
                            }
                        }
                    }
                }
            }
            outputs = try function.evaluate(rows, count: count * n, classIndex: classIndex)
        }
        evaluations += count * n
        return (0..<count).map { c in
            var sum = 0.0
            for b in 0..<n { sum += outputs[c * n + b] }
            return sum / Double(n)
        }
    }

    private func wrap<R>(_ body: () throws -> R) throws -> R {
        do {
            return try body()
        } catch let error as InsightError {
            throw error
        } catch {
            throw InsightError(.modelFailed, "ModelFunction", "\(error)")
        }
    }

    /// v for many coalitions in chunks, calling `progress` after each; stops early (returning the values so far) when
    /// it returns true.
    mutating func values(
        masks: [Bool], count: Int, phase: String, progress: ProgressHandler?
    ) throws -> (values: [Double], stopped: Bool) {
        let d = function.featureCount
        var result: [Double] = []
        result.reserveCapacity(count)
        var start = 0
        while start < count {
            let end = min(count, start + coalitionsPerCall)
            result += try values(masks: Array(masks[(start * d)..<(end * d)]), count: end - start)
            start = end
            if let progress, progress(InsightProgress(phase: phase, completed: start, total: count)), start < count {
                return (result, true)
            }
        }
        return (result, false)
    }

    /// f(x) and E f over the background, for the class.
    mutating func endpoints() throws -> (prediction: Double, base: Double) {
        let d = function.featureCount
        let v = try values(masks: Array(repeating: false, count: d), count: 1)[0]
        let fx = try function.evaluate(x, count: 1, classIndex: classIndex)[0]
        evaluations += 1
        return (fx, v)
    }
}
