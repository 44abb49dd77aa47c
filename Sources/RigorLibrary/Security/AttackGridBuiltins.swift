// AttackGridBuiltins: `attackResult.grid(count: 8)`, an image grid of original / perturbation / adversarial per
// attacked image (RichDisplay's AttackGrid), for image data.
import Foundation
import RichDisplay
import RigorScript
import Security

extension RigorLibrary {
    static func registerAttackGrid(_ result: TypeBuilder<AttackResultObject>, in registry: BuiltinRegistry) {
        registry.type(
            AttackGridObject.self,
            doc: "An attack on images, drawn: original, amplified perturbation and adversarial image per column, "
                + "with the true label and the predictions (an SVG image; `save` writes it).")
        result.method(
            "grid", Arg("count", default: 8, bound: .within(1...64)), Arg<[Int]?>("imageShape", default: nil),
            doc: "The first `count` attacked images as a grid: the original, the perturbation x′ − x (diverging "
                + "colours, blue lower and red higher, spanning ±ε for L∞ or the largest change shown for L2, the "
                + "scale written under it) and the adversarial image, each column headed by its true label, with "
                + "the predictions before and after (wrong ones marked ✗). Rows of [C, H, W] or [H, W] are images; "
                + "flat rows of a square number of values are square images; `imageShape: [height, width]` (or "
                + "[channels, height, width]) says how to read other rows.",
            example: "save(attack(model, data.test).grid(count: 8), to: \"fgsm.svg\")"
        ) { object, _, count, imageShape -> AttackGridObject in
            AttackGridObject(try attackGrid(object, count: count, imageShape: imageShape))
        }
    }

    /// The grid of the first `count` rows of an attack.
    static func attackGrid(_ object: AttackResultObject, count: Int, imageShape: [Int]?) throws -> AttackGrid {
        let result = object.result
        let (channels, height, width) = try imageLayout(
            featureShape: Array(object.dataShape.dropFirst()), featureCount: result.featureCount, given: imageShape)
        let shown = min(count, result.count)
        let d = result.featureCount
        var columns: [AttackGrid.Column] = []
        var largest = 0.0
        func name(_ id: Int) -> String {
            if let names = object.classNames, names.indices.contains(id) { return names[id] }
            return String(id)
        }
        for row in 0..<shown {
            let original = result.inputs[(row * d)..<((row + 1) * d)].map(Double.init)
            let adversarial = result.adversarialRow(row).map(Double.init)
            for (a, b) in zip(original, adversarial) { largest = max(largest, abs(b - a)) }
            // A prediction is marked wrong when it is not the label (for a targeted attack too).
            let label = result.labels[row]
            columns.append(
                AttackGrid.Column(
                    original: original, adversarial: adversarial, label: name(label),
                    cleanPrediction: name(result.cleanPredictions[row]),
                    adversarialPrediction: name(result.adversarialPredictions[row]),
                    cleanCorrect: result.cleanPredictions[row] == label,
                    adversarialCorrect: result.adversarialPredictions[row] == label))
        }
        let range: ClosedRange<Double>
        if let valid = result.validRange {
            range = valid
        } else {
            let values = columns.flatMap { $0.original + $0.adversarial }
            let low = values.min() ?? 0
            let high = values.max() ?? 1
            range = low < high ? low...high : low...(low + 1)
        }
        let epsilon = result.method.epsilon
        let isLInfinity = result.method.norm == .lInfinity && epsilon > 0
        let scale = isLInfinity ? epsilon : (largest > 0 ? largest : max(epsilon, 1e-6))
        let goal: String
        switch result.goal {
        case .untargeted: goal = ""
        case .targeted(let target): goal = ", targeted at \(name(target))"
        case .targetedPerRow: goal = ", targeted"
        }
        return AttackGrid(
            columns: columns, height: height, width: width, channels: channels, valueRange: range,
            perturbationScale: scale, scaleMeaning: isLInfinity ? "= ε" : "the largest |x′ − x| shown",
            title: result.method.displayName + goal)
    }

    /// (channels, height, width) of rows with `featureShape`, or of `given`.
    static func imageLayout(featureShape: [Int], featureCount: Int, given: [Int]?) throws -> (Int, Int, Int) {
        if let given {
            let layout: (Int, Int, Int)?
            switch given.count {
            case 2: layout = (1, given[0], given[1])
            case 3 where given[0] == 1 || given[0] == 3: layout = (given[0], given[1], given[2])
            default: layout = nil
            }
            guard let layout, layout.1 > 0, layout.2 > 0, layout.0 * layout.1 * layout.2 == featureCount else {
                throw BuiltinError(
                    .value,
                    "imageShape \(given) does not describe rows of \(featureCount) values; give [height, width] or "
                        + "[channels, height, width] with 1 or 3 channels whose product is \(featureCount)",
                    parameter: "imageShape")
            }
            return layout
        }
        switch featureShape.count {
        case 3 where featureShape[0] == 1 || featureShape[0] == 3:
            return (featureShape[0], featureShape[1], featureShape[2])
        case 2:
            return (1, featureShape[0], featureShape[1])
        case 1:
            let side = Int(Double(featureCount).squareRoot().rounded())
            if side > 1, side * side == featureCount { return (1, side, side) }
        default:
            break
        }
        throw BuiltinError(
            .value,
            "the attacked rows (shape \(featureShape)) are not images; give imageShape: [height, width] if they are",
            parameter: "imageShape")
    }
}
