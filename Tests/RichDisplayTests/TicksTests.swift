import Testing

@testable import RichDisplay

@Suite struct TicksTests {
    @Test func linearTicksStepOneTwoFive() {
        #expect(Ticks.linear(0.13, 2.31).labels == ["0", "0.5", "1", "1.5", "2", "2.5"])
        #expect(Ticks.linear(0, 100).values == [0, 20, 40, 60, 80, 100])
        #expect(Ticks.linear(0, 1, target: 11).labels.contains("0.3"))
    }

    @Test func labelsHaveNoFloatingPointNoise() {
        let ticks = Ticks.linear(0.1, 0.7, target: 7)
        #expect(ticks.labels == ["0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7"])
        #expect(!ticks.labels.joined().contains("000000"))
        #expect(ticks.values.contains(0.3))
    }

    @Test func negativeLabelsUseTheMinusSign() {
        #expect(Ticks.linear(-2, 2, target: 5).labels == ["\u{2212}2", "\u{2212}1", "0", "1", "2"])
    }

    @Test func integerAxesNeverStepBelowOne() {
        #expect(Ticks.linear(1, 3, integers: true).values == [1, 2, 3])
    }

    @Test func flatAndNonFiniteRangesStillGiveTicks() {
        let flat = Ticks.linear(5, 5)
        #expect(flat.lower < 5 && flat.upper > 5)
        let broken = Ticks.linear(.nan, .infinity)
        #expect(broken.values.first == 0 && broken.values.last == 1)
    }

    @Test func logarithmicTicksArePowersOfTen() {
        #expect(Ticks.logarithmic(1e-5, 1).labels == ["1e-5", "1e-4", "1e-3", "1e-2", "1e-1", "1e0"])
        #expect(Ticks.logarithmic(0.12, 3.5).labels == ["0.1", "0.2", "0.5", "1", "2", "5", "10"])
    }

    @Test func numbersKeepSignificantDigits() {
        #expect(NumberFormat.format(0.1 + 0.2) == "0.3")
        #expect(NumberFormat.format(0.98765) == "0.9877")
        #expect(NumberFormat.format(1234.56) == "1235")
        #expect(NumberFormat.format(0.000012345) == "1.234e-5")
        #expect(NumberFormat.format(2.5e8) == "2.5e8")
        #expect(NumberFormat.format(-0.0) == "0")
        #expect(NumberFormat.format(.nan) == "NaN")
        #expect(NumberFormat.format(-.infinity) == "-inf")
    }

    @Test func histogramBinsCoverEveryFiniteValue() {
        let histogram = Histogram([0, 0.5, 1, 1.5, 2, .nan, .infinity], bins: .width(0.5))
        #expect(histogram.edges == [0, 0.5, 1, 1.5, 2, 2.5])
        #expect(histogram.counts == [1, 1, 1, 1, 1])
        #expect(Histogram([], bins: .auto).counts.isEmpty)
        #expect(Histogram([3, 3, 3]).counts.reduce(0, +) == 3)
    }

    @Test func aBinCountGivesExactlyThatManyEqualBinsFromMinToMax() {
        // numpy.histogram([1, 2, 2, 3, 7], bins=3): edges [1, 3, 5, 7], counts [3, 1, 1] (the maximum in the last bin).
        let histogram = Histogram([1, 2, 2, 3, 7], bins: .count(3))
        #expect(histogram.edges == [1, 3, 5, 7])
        #expect(histogram.counts == [3, 1, 1])
        let twenty = Histogram((0..<1000).map { Double(($0 * 7919) % 1000) / 7 }, bins: .count(20))
        #expect(twenty.counts.count == 20 && twenty.counts.reduce(0, +) == 1000)
        // All values equal: numpy's range [v − 0.5, v + 0.5].
        #expect(Histogram([4, 4], bins: .count(2)).edges == [3.5, 4, 4.5])
    }
}

@Suite struct LargeTicksTests {
    @Test func millionsShareOneUnit() {
        #expect(Ticks.linear(1.2e5, 1.1e6).labels == ["0", "0.2M", "0.4M", "0.6M", "0.8M", "1M", "1.2M"])
    }

    @Test func longTitlesAreShortenedToFit() {
        let placed = PlotLayout.placeTitle(String(repeating: "x", count: 200), center: 100, width: 640)
        #expect(placed.text.hasSuffix("…"))
        #expect(abs(placed.x - 320) < 5)
    }
}
