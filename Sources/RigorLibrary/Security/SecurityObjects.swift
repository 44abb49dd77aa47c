// SecurityObjects: attacks and robustness curves as script values (`AttackResult`, `Robustness`), over the Security
// target's engine.
import Foundation
import RichDisplay
import RigorScript
import Security

/// What an attack did to a model on a dataset: accuracy before and after, success rate, perturbation size, the
/// adversarial inputs and predictions.
final class AttackResultObject: NativeObject, ArgumentType, ScriptValueConvertible {
    static var scriptTypeName: String { "AttackResult" }
    let result: AttackResult
    let dataShape: [Int]
    /// The data's class names, for the image grid's captions.
    let classNames: [String]?
    init(_ result: AttackResult, dataShape: [Int], classNames: [String]? = nil) {
        self.result = result
        self.dataShape = dataShape
        self.classNames = classNames
    }
    var typeName: String { Self.scriptTypeName }
    var description: String { table.plainText }

    var table: Table {
        let r = result
        var rows: [[TableCell]] = [
            ["rows", .integer(r.count)],
            ["clean accuracy", .number(r.cleanAccuracy)],
            ["adversarial accuracy", .number(r.adversarialAccuracy)],
            ["success rate", .number(r.successRate)],
            [.text("mean \(r.method.norm.displayName) perturbation"), .number(r.meanPerturbation)],
        ]
        if let range = r.validRange {
            rows.append(["valid range", .text("\(Attack.format(range.lowerBound))…\(Attack.format(range.upperBound))")])
        }
        if !r.labelsGiven { rows.append(["labels", "the model's own predictions"]) }
        let goal: String
        switch r.goal {
        case .untargeted: goal = "untargeted"
        case .targeted(let target): goal = "targeted at class \(target)"
        case .targetedPerRow: goal = "targeted per row"
        }
        return Table(columns: ["", "value"], rows: rows, title: "\(r.method.displayName), \(goal)")
    }
}

/// Accuracy under FGSM and PGD at several ε: the robustness curve of a model.
final class RobustnessObject: NativeObject, ArgumentType, ScriptValueConvertible {
    static var scriptTypeName: String { "Robustness" }
    let epsilons: [Double]
    let fgsm: [Double]
    let pgd: [Double]
    let steps: Int
    let norm: AttackNorm
    init(epsilons: [Double], fgsm: [Double], pgd: [Double], steps: Int, norm: AttackNorm) {
        self.epsilons = epsilons
        self.fgsm = fgsm
        self.pgd = pgd
        self.steps = steps
        self.norm = norm
    }
    var typeName: String { Self.scriptTypeName }
    var description: String { table.plainText }

    var table: Table {
        Table(
            columns: ["ε", "FGSM accuracy", "PGD-\(steps) accuracy"],
            rows: epsilons.indices.map { [.number(epsilons[$0]), .number(fgsm[$0]), .number(pgd[$0])] },
            title: "Accuracy under attack (\(norm.displayName))")
    }

    var plot: Plot {
        var plot = Plot(title: "Accuracy under attack (\(norm.displayName))", x: "ε", y: "accuracy")
        plot.line(x: epsilons, y: fgsm, label: "FGSM", marker: .circle)
        plot.line(x: epsilons, y: pgd, label: "PGD, \(steps) steps", style: .dashed, marker: .square)
        return plot
    }
}

/// An attack's image grid (`attackResult.grid(count: 8)`): original, perturbation and adversarial image per column.
final class AttackGridObject: NativeObject, ArgumentType, ScriptValueConvertible, MIMERepresentable {
    static var scriptTypeName: String { "AttackGrid" }
    let grid: AttackGrid
    init(_ grid: AttackGrid) { self.grid = grid }
    var typeName: String { Self.scriptTypeName }
    var description: String { grid.plainText }
    var mimeBundle: MIMEBundle { grid.mimeBundle }
}
