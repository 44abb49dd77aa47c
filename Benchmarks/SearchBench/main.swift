// SearchBench: our TPE and Gaussian-process samplers on Branin and Hartmann-6 (10 seeds, 30 and 50 trials: the best
// value found), and the sampler's overhead per trial over a 100-trial study. Prints one JSON object per line;
// Benchmarks/Search/bench.sh runs Optuna's samplers the same way and puts the two side by side.
//
//   SearchBench [--seeds 10] [--budgets 30,50] [--overhead-trials 100] [--samplers tpe,gp] [--problems branin,hartmann6]
//   (--trace tpe|gp: one seed on Hartmann-6, trial by trial)
import Foundation
import Search

var seeds = 10
var budgets = [30, 50]
var overheadTrials = 100
var samplerNames: Set<String> = ["tpe", "gp"]
var problemNames: Set<String> = ["branin", "hartmann6"]
var arguments = CommandLine.arguments.dropFirst()
while let flag = arguments.popFirst() {
    guard let value = arguments.popFirst() else { break }
    switch flag {
    case "--seeds": seeds = Int(value) ?? seeds
    case "--budgets": budgets = value.split(separator: ",").compactMap { Int($0) }
    case "--overhead-trials": overheadTrials = Int(value) ?? overheadTrials
    case "--samplers": samplerNames = Set(value.split(separator: ",").map(String.init))
    case "--problems": problemNames = Set(value.split(separator: ",").map(String.init))
    case "--trace":
        // --trace tpe|gp: every trial of seed `--seeds` on Hartmann-6, for looking at what a sampler does.
        let study = try Study("trace", sampler: value == "gp" ? .gaussianProcess() : .tpe(), seed: UInt64(seeds))
        for trial in try study.optimize(trials: budgets.max()!, objective: TestFunctions.hartmann6Objective) {
            print(trial.number, (0..<6).map { trial.params["x\($0)"]!.description.prefix(5) }, trial.value!)
        }
        exit(0)
    default: FileHandle.standardError.write(Data("unknown flag \(flag)\n".utf8))
    }
}

let samplers: [(String, SamplerKind)] = [("tpe", .tpe()), ("gp", .gaussianProcess())].filter {
    samplerNames.contains($0.0)
}
let problems: [(String, (Trial) throws -> Double)] = [
    ("branin", TestFunctions.braninObjective), ("hartmann6", TestFunctions.hartmann6Objective),
].filter { problemNames.contains($0.0) }

func json(_ object: [String: Any]) -> String {
    let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    return String(decoding: data, as: UTF8.self)
}

for (problem, objective) in problems {
    for (samplerName, sampler) in samplers {
        var bestByBudget = budgets.map { _ in [Double]() }
        for seed in 0..<seeds {
            let study = try Study("bench", sampler: sampler, seed: UInt64(seed))
            let values = try study.optimize(trials: budgets.max()!, objective: objective).map { $0.value ?? .infinity }
            for (index, budget) in budgets.enumerated() { bestByBudget[index].append(values.prefix(budget).min()!) }
        }
        for (index, budget) in budgets.enumerated() {
            let sorted = bestByBudget[index].sorted()
            let median =
                sorted.count % 2 == 1
                ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
            print(
                json([
                    "kind": "best", "problem": problem, "sampler": samplerName, "trials": budget, "median_best": median,
                    "best_per_seed": bestByBudget[index],
                ]))
        }
        // Overhead: a study of `overheadTrials` trials of an objective that costs nothing, seconds per trial.
        let study = try Study("overhead", sampler: sampler, seed: 0)
        let start = Date()
        try study.optimize(trials: overheadTrials, objective: objective)
        let perTrial = Date().timeIntervalSince(start) / Double(overheadTrials)
        print(
            json([
                "kind": "overhead", "problem": problem, "sampler": samplerName, "trials": overheadTrials,
                "seconds_per_trial": perTrial,
            ]))
    }
}
