import Foundation
import Testing

@testable import Search

private struct Interrupted: StopsStudy {}
private struct Boom: Error, CustomStringConvertible { var description: String { "boom" } }

@Suite("Studies: failures, interruption, pruning, Bayesian against random")
struct StudyTests {
    @Test("an objective that throws or returns NaN fails its trial; the study goes on")
    func failures() throws {
        let study = try Study("failures", direction: .maximize, sampler: .random, seed: 2)
        let trials = try study.optimize(trials: 5) { trial in
            let x = try trial.suggestFloat("x", 0, 1)
            switch trial.number {
            case 1: throw Boom()
            case 2: return .nan
            case 3: return -.infinity
            default: return x
            }
        }
        #expect(trials.map(\.state) == [.complete, .failed, .failed, .failed, .complete])
        #expect(trials[1].message == "boom")
        #expect(trials[2].message == "the objective returned nan")
        #expect(trials[3].message == "the objective returned -inf")
        #expect(try study.best?.number == (trials[0].value! > trials[4].value! ? 0 : 4))
        #expect(try study.trials.count == 5)
    }

    @Test("an interrupt fails the running trial, keeps the finished ones and is rethrown")
    func interruption() throws {
        let study = try Study("interrupt", sampler: .random, seed: 2)
        #expect(throws: Interrupted.self) {
            try study.optimize(trials: 10) { trial in
                let x = try trial.suggestFloat("x", 0, 1)
                if trial.number == 3 { throw Interrupted() }
                return x
            }
        }
        let trials = try study.trials
        #expect(trials.map(\.state) == [.complete, .complete, .complete, .failed])
        // shouldStop ends the loop between trials.
        var calls = 0
        try study.optimize(trials: 10, shouldStop: { calls >= 2 }) { trial in
            calls += 1
            return try trial.suggestFloat("x", 0, 1)
        }
        #expect(calls == 2)
        #expect(try study.trials.count == 6)
    }

    @Test("the median pruner stops trials worse than the median at the same step")
    func medianPruner() throws {
        let study = try Study("median", sampler: .random, pruner: .median(startupTrials: 2), seed: 0)
        // Trials 0 and 1 decline to 1.0 and 2.0; trial 2 sits at 10 and is pruned at its first check.
        let slopes = [1.0, 2.0, 10.0, 0.5]
        let trials = try study.optimize(trials: 4) { trial in
            _ = try trial.suggestFloat("x", 0, 1)
            var value = 0.0
            for step in 1...5 {
                value = slopes[trial.number] * (6 - Double(step))
                try trial.report(step: step, value: value)
                try trial.pruneIfNeeded()
            }
            return value
        }
        #expect(trials.map(\.state) == [.complete, .complete, .pruned, .complete])
        #expect(trials[2].intermediateValues.count == 1)
        #expect(trials[2].value == 50)
        // By hand: at step 1 the finished trials reported 5 and 10 → median 7.5; 0.5·5 = 2.5 is better, 50 is worse.
        #expect(MedianPruner.median([5, 10]) == 7.5)
        #expect(MedianPruner.median([3, 1, 2]) == 2)
    }

    @Test("successive halving promotes the best 1/η at each rung")
    func successiveHalving() throws {
        let pruner = SuccessiveHalvingPruner(minResource: 1, reductionFactor: 2, minEarlyStoppingRate: 0)
        #expect((0..<4).map(pruner.resource(ofRung:)) == [1, 2, 4, 8])
        func trial(_ number: Int, _ values: [Double]) -> TrialRecord {
            var record = TrialRecord(number: number, state: .complete)
            record.intermediateValues = values.enumerated().map {
                IntermediateValue(step: $0.offset + 1, value: $0.element)
            }
            return record
        }
        let history = [trial(0, [1, 1, 1, 1]), trial(1, [2, 2, 2, 2]), trial(2, [3, 3, 3, 3])]
        // At rung 0 (step 1) the competitors are 1, 2, 3 and ours: ⌊4/2⌋ = 2 promoted (values ≤ 2).
        #expect(!pruner.shouldPrune(trial(3, [1.5]), history: history, direction: .minimize))
        #expect(pruner.shouldPrune(trial(3, [2.5]), history: history, direction: .minimize))
        #expect(!pruner.shouldPrune(trial(3, [2.5]), history: history, direction: .maximize))
        // A study with the pruner runs and records pruned trials.
        let study = try Study("halving", sampler: .random, pruner: .successiveHalving(reductionFactor: 2), seed: 1)
        let trials = try study.optimize(trials: 8) { trial in
            let x = try trial.suggestFloat("x", 0, 1)
            for step in 1...8 {
                try trial.report(step: step, value: x + 1 / Double(step))
                try trial.pruneIfNeeded()
            }
            return x
        }
        #expect(trials.contains { $0.state == .pruned })
        #expect(trials.contains { $0.state == .complete })
    }

    @Test("a parameter suggested twice returns the same value; a different range is an error")
    func suggestTwice() throws {
        let study = try Study("twice", sampler: .random)
        let trials = try study.optimize(trials: 1) { trial in
            let a = try trial.suggestFloat("x", 0, 1)
            #expect(try trial.suggestFloat("x", 0, 1) == a)
            _ = try trial.suggestFloat("x", 0, 2)
            return a
        }
        #expect(trials[0].state == .failed)
        #expect(trials[0].message?.contains("already suggested") == true)
    }

    /// Median over seeds of the best value after `budgets` trials.
    static func medianBest(
        _ sampler: SamplerKind, seeds: Range<UInt64>, budgets: [Int], objective: @escaping (Trial) throws -> Double
    ) throws -> [Double] {
        var bests: [[Double]] = budgets.map { _ in [] }
        for seed in seeds {
            let study = try Study("bench", sampler: sampler, seed: seed)
            let values = try study.optimize(trials: budgets.max()!, objective: objective).map { $0.value ?? .infinity }
            for (index, budget) in budgets.enumerated() { bests[index].append(values.prefix(budget).min()!) }
        }
        return bests.map { $0.sorted()[$0.count / 2 - 1] / 2 + $0.sorted()[$0.count / 2] / 2 }
    }

    @Test("Bayesian samplers beat random search on Branin and Hartmann-6 at 30 and 50 trials (median of 10 seeds)")
    func bayesianBeatsRandom() throws {
        let seeds: Range<UInt64> = 0..<10
        for (name, objective) in [
            ("Branin", TestFunctions.braninObjective), ("Hartmann-6", TestFunctions.hartmann6Objective),
        ] {
            let random = try Self.medianBest(.random, seeds: seeds, budgets: [30, 50], objective: objective)
            let tpe = try Self.medianBest(.tpe(), seeds: seeds, budgets: [30, 50], objective: objective)
            let gp = try Self.medianBest(.gaussianProcess(), seeds: seeds, budgets: [30, 50], objective: objective)
            print("\(name): median best at 30/50 trials: random \(random), TPE \(tpe), GP \(gp)")
            for index in 0..<2 {
                #expect(tpe[index] < random[index], "\(name) TPE \(tpe) vs random \(random)")
                #expect(gp[index] < random[index], "\(name) GP \(gp) vs random \(random)")
            }
        }
    }
}
