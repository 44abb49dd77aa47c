import Foundation

/// How a histogram chooses its bins.
public enum Bins: Hashable, Sendable {
    /// Sturges' rule (⌈log2 n⌉ + 1), widened to nice 1-2-5 edges.
    case auto
    /// Exactly this many equal-width bins from the smallest value to the largest (NumPy's and matplotlib's
    /// `bins=n`); the edges are then not round numbers.
    case count(Int)
    /// Bins of exactly this width, aligned to multiples of it.
    case width(Double)
}

/// Histogram: counts of finite values per bin; bins are [edge[i], edge[i+1]), the last one closed.
public struct Histogram: Hashable, Sendable {
    public var edges: [Double]
    public var counts: [Int]

    public init(_ values: [Double], bins: Bins = .auto) {
        let finite = values.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max() else {
            edges = []
            counts = []
            return
        }
        var width: Double
        switch bins {
        case .count(let requested):
            let count = min(max(requested, 1), 1000)
            let (lower, upper) = high > low ? (low, high) : (low - 0.5, high + 0.5)
            let step = (upper - lower) / Double(count)
            edges = (0...count).map { $0 == count ? upper : lower + Double($0) * step }
            var counts = [Int](repeating: 0, count: count)
            for value in finite {
                counts[min(max(Int((value - lower) / step), 0), count - 1)] += 1
            }
            self.counts = counts
            return
        case .auto:
            let count = Int(ceil(log2(Double(max(1, finite.count))))) + 1
            width = Ticks.niceStep((high - low) / Double(max(1, count)))
        case .width(let given):
            width = given > 0 && given.isFinite ? given : 1
        }
        if high == low { width = max(width, low == 0 ? 1 : abs(low) * 0.1) }
        let start = floor(low / width)
        var edgeCount = Int(ceil(high / width) - start)
        if edgeCount < 1 { edgeCount = 1 }
        if start + Double(edgeCount) <= high / width { edgeCount += 1 }
        // Guard against a pathological width: at most 1,000 bins.
        edgeCount = min(edgeCount, 1000)
        edges = (0...edgeCount).map { Ticks.roundTo((start + Double($0)) * width, decimals: 12) }
        var counts = [Int](repeating: 0, count: edgeCount)
        for value in finite {
            var index = Int(floor((value - edges[0]) / width))
            index = min(max(index, 0), edgeCount - 1)
            counts[index] += 1
        }
        self.counts = counts
    }
}
