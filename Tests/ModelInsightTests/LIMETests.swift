import Foundation
import Testing

@testable import ModelInsight

@Suite("LIME")
struct LIMETests {
    @Test("tabular LIME ranks the only relevant feature first, for every seed")
    func relevantFeatureFirst() throws {
        let f = ModelFunction(featureCount: 6, outputCount: 1) { rows in rows.map { [tanh(2 * $0[3])] } }
        let training = Fixtures.rows(200, 6, seed: 21)
        for (seed, x) in zip(UInt64(0)..<6, Fixtures.rows(6, 6, seed: 22, scale: 1.5)) {
            let explanation = try Explainer.explain(
                f, x, method: .lime(training: training, options: LIMEOptions(seed: seed)))
            #expect(explanation.ranking[0] == 3, "seed \(seed): \(explanation.attributions)")
            // Everything else is noise next to it.
            let others = explanation.attributions.enumerated().filter { $0.offset != 3 }.map { abs($0.element) }
            #expect(others.allSatisfy { $0 < 0.2 * abs(explanation.attributions[3]) })
            #expect(explanation.conditions?.count == 6)
            #expect(explanation.method.contains("5000 samples"))
            #expect(explanation.method.contains("kernel width 1.84"))  // 0.75·√6 = 1.837
        }
    }

    @Test("feature selection keeps featureCount features (forward selection and highest weights)")
    func featureSelection() throws {
        let f = ModelFunction(featureCount: 8, outputCount: 1) { rows in rows.map { [$0[1] + 2 * $0[6]] } }
        let training = Fixtures.rows(100, 8, seed: 23)
        let x = [1.5, 2, 0, 0, 0, 0, -2, 0]
        for selection in [LIMEOptions.FeatureSelection.forwardSelection, .highestWeights] {
            let options = LIMEOptions(samples: 1500, featureCount: 2, featureSelection: selection, seed: 1)
            let explanation = try Explainer.explain(f, x, method: .lime(training: training, options: options))
            #expect(explanation.attributions.filter { $0 != 0 }.count == 2)
            #expect(Set(explanation.ranking.prefix(2)) == [1, 6], "\(selection)")
        }
    }

    @Test("image LIME puts the patch the function reads first")
    func imageLIME() throws {
        let f = ModelFunction(featureCount: 64, outputCount: 1, image: ImageLayout(height: 8, width: 8)) { rows in
            rows.map { r in [r[2 * 8 + 5] + r[3 * 8 + 4]] }  // pixels in the 2×2 patch at row 1, column 2
        }
        let x = (0..<64).map { 0.5 + Double($0 % 7) / 10 }
        for seed in UInt64(0)..<3 {
            let explanation = try Explainer.explain(
                f, x, method: .imageLIME(patch: 2, hideValue: 0, options: LIMEOptions(samples: 400, seed: seed)))
            let top = explanation.ranking[0]
            let patchPixels: Set<Int> = [20, 21, 28, 29]
            #expect(patchPixels.contains(top))
            guard case .surrogateFit(let r2, _) = explanation.check else {
                Issue.record("image LIME's check is \(explanation.check), not a surrogate fit")
                return
            }
            #expect(r2 > 0.9)
        }
    }
}
