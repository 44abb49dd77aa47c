import Foundation
import NeuralNetworks
import Testing

@testable import ModelInsight

@Suite("Bad input and interruption")
struct ErrorAndProgressTests {
    func error(_ body: () throws -> Explanation) -> InsightError? {
        do {
            _ = try body()
            return nil
        } catch let error as InsightError {
            return error
        } catch {
            Issue.record("unexpected \(error)")
            return nil
        }
    }

    @Test("each bad input is a clear error at the call")
    func badInput() throws {
        let f = try ModelFunction(model: Fixtures.mlp(), inputShape: [5], featureNames: ["a", "b", "c", "d", "e"])
        let background = Fixtures.rows(4, 5, seed: 1)
        let x = [0.1, 0.2, 0.3, 0.4, 0.5]
        let wrongCount = error { try Explainer.explain(f, [1, 2, 3, 4], method: .kernelSHAP(background: background)) }
        #expect(wrongCount?.description == "kernelSHAP: x has 4 features; the model takes 5")
        var nanBackground = background
        nanBackground[2][3] = .nan
        let nan = error { try Explainer.explain(f, x, method: .exactShapley(background: nanBackground)) }
        #expect(nan?.description == "exactShapley: background row 2 has NaN at feature 'd'")
        let shortBackground = error { try Explainer.explain(f, x, method: .lime(training: [[1, 2, 3]])) }
        #expect(shortBackground?.description == "lime: background row 0 has 3 features; the model takes 5")
        let classOut = error { try Explainer.explain(f, x, method: .saliency, classIndex: 3) }
        #expect(classOut?.description == "saliency: class index 3 is out of range: the model has 3 outputs (0..<3)")
        let image = error { try Explainer.explain(f, x, method: .occlusion()) }
        #expect(image?.kind == .invalidArgument)
        #expect(
            image?.description.hasPrefix("occlusion: is an image method, and the rows are tabular (input shape [5])")
                == true)
        let imageLIME = error { try Explainer.explain(f, x, method: .imageLIME()) }
        #expect(imageLIME?.operation == "imageLIME")
        let closure = ModelFunction(featureCount: 2, outputCount: 1) { $0.map { [$0[0]] } }
        let gradient = error { try Explainer.explain(closure, [1, 2], method: .integratedGradients()) }
        #expect(gradient?.kind == .notDifferentiable)
        let emptyBackground = error { try Explainer.explain(f, x, method: .permutationSHAP(background: [])) }
        #expect(emptyBackground?.description == "permutationSHAP: the background set is empty; pass some training rows")
        let nanX = error { try Explainer.explain(f, [0, .nan, 0, 0, 0], method: .saliency) }
        #expect(nanX?.description == "saliency: x has NaN at feature 'b'")
        #expect(throws: InsightError.self) { _ = try ModelFunction(model: Fixtures.mlp(), inputShape: [6]) }
        do {
            _ = try Explainer.explainAll(f, [x, [1, 2]], method: .saliency)
            Issue.record("a short row must be refused")
        } catch let error as InsightError {
            #expect(error.description == "saliency: row 1 has 2 features; the model takes 5")
        }
    }

    @Test("exact Shapley refuses above the feature limit and suggests the estimators")
    func tooManyFeatures() throws {
        let wide = ModelFunction(featureCount: 15, outputCount: 1) { $0.map { [$0.reduce(0, +)] } }
        let background = Fixtures.rows(3, 15, seed: 2)
        let refusal = error {
            try Explainer.explain(wide, Array(repeating: 1, count: 15), method: .exactShapley(background: background))
        }
        #expect(refusal?.kind == .tooLarge)
        #expect(refusal?.reason.contains("limited to 14 features") == true)
        #expect(refusal?.reason.contains(".kernelSHAP") == true)
        // The limit is a setting.
        let small = ModelFunction(featureCount: 3, outputCount: 1) { $0.map { [$0.reduce(0, +)] } }
        let limited = error {
            try Explainer.explain(small, [1, 1, 1], method: .exactShapley(background: [[0, 0, 0]], featureLimit: 2))
        }
        #expect(limited?.kind == .tooLarge)
    }

    @Test("progress is reported, and stopping keeps what finished")
    func interruption() throws {
        let f = try ModelFunction(model: Fixtures.mlp(), inputShape: [5])
        let background = Fixtures.rows(40, 5, seed: 3)
        let x = [0.1, -0.2, 0.3, 0.8, -1]
        // KernelSHAP on 5 features with 8192-row calls and 40 background rows: 204 coalitions per call; budget 30.
        var seen: [InsightProgress] = []
        let full = try Explainer.explain(f, x, method: .kernelSHAP(background: background, samples: 30)) {
            seen.append($0)
            return false
        }
        #expect(full.isComplete)
        #expect(!seen.isEmpty, "no progress was reported")
        #expect(seen.last?.completed == seen.last?.total)
        // Permutation SHAP stopped after the first call: an estimate from the orderings that finished.
        let rows = Fixtures.rows(300, 5, seed: 4)
        var calls = 0
        let partial = try Explainer.explain(
            f, x, method: .permutationSHAP(background: rows, permutations: 400, seed: 1)
        ) { _ in
            calls += 1
            return true
        }
        #expect(calls == 1)
        #expect(!partial.isComplete)
        // A check of another kind is a failure here, never a silent end of the test (the checks below still run).
        if case .efficiency(let gap) = partial.check {
            #expect(abs(gap) < 1e-6)
        } else {
            Issue.record("permutation SHAP's check is \(partial.check), not an efficiency gap")
        }
        #expect(partial.method.contains("orderings"))
        // Exact values cannot be partial: a cancellation error.
        let cancelled = error {
            try Explainer.explain(f, x, method: .exactShapley(background: Fixtures.rows(2000, 5, seed: 5))) { _ in true
            }
        }
        #expect(cancelled?.kind == .cancelled)
        // explainAll keeps the rows that finished.
        let set = try Explainer.explainAll(f, Fixtures.rows(5, 5, seed: 6), method: .saliency) { $0.completed >= 2 }
        #expect(set.explanations.count == 2)
        #expect(!set.isComplete)
        #expect(set.requested == 5)
        // A row's own sampling stops too (permutation SHAP makes many calls per row here): the unfinished row is
        // dropped, and with no row finished nothing is kept.
        var rowCalls = 0
        var midRow: InsightError?
        do {
            let kept = try Explainer.explainAll(
                f, Fixtures.rows(3, 5, seed: 7), method: .permutationSHAP(background: rows, permutations: 400, seed: 1)
            ) { progress in
                rowCalls += 1
                #expect(progress.phase == "rows" && progress.completed == 0)
                return rowCalls == 2
            }
            Issue.record("explainAll returned \(kept.explanations.count) rows after a stop within the first row")
        } catch let error as InsightError {
            midRow = error
        }
        #expect(midRow?.kind == .cancelled)
        #expect(rowCalls == 2)
    }
}
