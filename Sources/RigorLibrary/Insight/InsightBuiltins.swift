// Insight: `explain` and `explainAll`: SHAP, LIME and gradient attributions of a model (or a script function) as
// `Explanation` values whose rich display is ModelInsight's table, waterfall and heat-map overlay.
import Foundation
import ModelInsight
import NeuralNetworks
import RichDisplay
import RigorScript
import TensorCore

extension RigorLibrary {
    /// `method: .shap(background: data.train)`: the attribution methods `explain` and `explainAll` take.
    static var insightMethods: Choices<InsightMethod> {
        let background = InsightRows.argument("background", "background", single: false)
        return Choices<InsightMethod>(
            "ExplanationMethod", noun: "explanation method",
            [
                Choices.Choice(
                    "shap", background, Arg("samples", default: 2048, bound: .atLeast(2)),
                    doc: "KernelSHAP against `background` rows with a budget of `samples` coalitions (shap's "
                        + "KernelExplainer; reports the efficiency gap)."
                ) { background, samples in .shap(background: background, samples: samples) },
                Choices.Choice(
                    "exactShapley", background,
                    doc: "Exact interventional Shapley values over every coalition (at most 14 features)."
                ) { background in .exactShapley(background: background) },
                Choices.Choice(
                    "permutationSHAP", background, Arg("permutations", default: 10, bound: .atLeast(1)),
                    doc: "Permutation SHAP over antithetic pairs of random feature orderings."
                ) { background, permutations in .permutationSHAP(background: background, permutations: permutations) },
                Choices.Choice(
                    "lime", InsightRows.argument("training", "training", single: false),
                    Arg("samples", default: 5000, bound: .atLeast(10)),
                    Arg("features", default: 10, bound: .atLeast(1)),
                    Arg<Double?>("kernelWidth", default: nil, bound: .greaterThan(0)),
                    doc:
                        "LIME for tabular rows with the `lime` package's defaults (quartile bins fitted on `training`, "
                        + "kernel width 0.75·√d, weighted ridge, `features` kept)."
                ) { training, samples, features, kernelWidth in
                    .lime(training: training, samples: samples, features: features, kernelWidth: kernelWidth)
                },
                Choices.Choice(
                    "limeImage", Arg("patch", default: 2, bound: .atLeast(1)),
                    Arg("samples", default: 1000, bound: .atLeast(10)), Arg<Double?>("hideValue", default: nil),
                    doc: "LIME for images over `patch` × `patch` superpixels (hidden with `hideValue`, or each "
                        + "patch's mean)."
                ) { patch, samples, hideValue in .limeImage(patch: patch, samples: samples, hideValue: hideValue) },
                Choices.Choice("saliency", doc: "|∂f/∂x| (a model only).") { .saliency },
                Choices.Choice("gradientTimesInput", doc: "x · ∂f/∂x (a model only).") { .gradientTimesInput },
                Choices.Choice(
                    "integratedGradients", Arg("steps", default: 50, bound: .atLeast(1)),
                    Arg<InsightRows?>("baseline", type: "Tensor?", defaultValue: .nil, text: "nil") { value, context in
                        if case .nil = value { return .some(nil) }
                        return try InsightRows.decode(value, context: context, single: true).map { .some($0) }
                    },
                    doc: "Integrated gradients from `baseline` (zeros) with `steps` Gauss–Legendre points; reports "
                        + "the completeness gap (a model only)."
                ) { steps, baseline in .integratedGradients(steps: steps, baseline: baseline) },
                Choices.Choice(
                    "smoothGrad", Arg("samples", default: 50, bound: .atLeast(1)),
                    Arg("noiseLevel", default: 0.15, bound: .atLeast(0)),
                    doc: "The mean gradient over `samples` noisy copies of x (a model only)."
                ) { samples, noiseLevel in .smoothGrad(samples: samples, noiseLevel: noiseLevel) },
                Choices.Choice(
                    "occlusion", Arg("window", default: 2, bound: .atLeast(1)),
                    Arg("stride", default: 1, bound: .atLeast(1)),
                    Arg("fill", default: 0.0),
                    doc: "Images: the drop in f(x) when a `window` × `window` square is set to `fill`."
                ) { window, stride, fill in .occlusion(window: window, stride: stride, fill: fill) },
            ])
    }

    /// `output: .probabilities`: explain class probabilities or the raw outputs.
    static var explainedOutputs: Choices<ExplainedOutput> {
        Choices<ExplainedOutput>(
            "ExplainedOutput", noun: "output",
            [
                Choices.Choice(
                    "probabilities", doc: "Class probabilities (softmax; sigmoid of a single output)."
                ) { .probabilities },
                Choices.Choice("logits", doc: "The model's raw outputs (logits, or a regression's value).") {
                    .logits
                },
            ])
    }

    static func registerInsight(in registry: BuiltinRegistry) {
        registry.beginFamily("Insight")
        registry.register(insightMethods)
        registry.register(explainedOutputs)
        let methodDefault = Value.implicitMember(ImplicitMember(name: "integratedGradients", arguments: []))
        let method = Arg("method", choices: insightMethods, defaultValue: methodDefault, text: ".integratedGradients")
        let output = Arg<ExplainedOutput?>(
            "output", type: "ExplainedOutput?", defaultValue: .nil, text: "nil"
        ) { value, context in
            if case .nil = value { return .some(nil) }
            return try explainedOutputs.decode(value, context: context).map { .some($0) }
        }
        let classIndex = Arg<Int?>("classIndex", default: nil, bound: .atLeast(0))
        let data = Arg<DatasetObject?>("data", default: nil)
        let imageShape = Arg<Shape?>("imageShape", default: nil)
        registry.function(
            "explain", ExplainedFunction.argument(), InsightRows.argument(nil, "x", single: true), method, classIndex,
            output, data, imageShape, Arg<Seed>.trackedSeed(), Arg("progress", default: true),
            doc: "Why the model predicts what it does for one input `x`: an `Explanation` with one attribution per "
                + "feature, the base value, f(x) and the method's check (efficiency or completeness gap, LIME's fit). "
                + "`model` is a model or a script function of one row (`[Double]`) to a number (then only the "
                + "model-agnostic methods). `classIndex` is the explained output (nil: the predicted class); "
                + "`output` nil explains probabilities of a classifier, raw values of a single output. Feature and "
                + "class names come from `data`, else from the method's background or training Dataset. "
                + "`imageShape: [8, 8]` marks flat rows as images. Long work shows progress and stops at an interrupt, "
                + "showing what finished. Shows as a table with bars and a waterfall, or a heat map over the image.",
            example:
                "explain(model, data.test[0].features, method: .shap(background: data.train, samples: 1024), classIndex: 1)"
        ) { context, function, x, method, classIndex, output, data, imageShape, seed, progress -> ExplanationObject in
            if method.isRandom { RigorChecks.checkSeed(seed, of: "explain", in: context) }
            let names = data ?? x.dataset ?? method.reference?.dataset
            let model = try modelFunction(
                function, rowShape: data?.featureShape ?? x.rowShape, names: names, output: output,
                imageShape: imageShape, context: context)
            try check(x.rows[0], model, parameter: "x", what: "x")
            let index = try classIndex ?? predictedClass([x.rows[0]], model)
            try checkClass(index, model)
            try checkMethod(method, model)
            let explanation = try run(method, context: context, progress: progress, total: nil) { handler in
                try Explainer.explain(
                    model, x.rows[0], method: method.attributionMethod(seed: seed.generatorSeed), classIndex: index,
                    progress: handler)
            }
            return ExplanationObject(explanation)
        }
        registry.function(
            "explainAll", ExplainedFunction.argument(), InsightRows.argument(nil, "rows", single: false), method,
            classIndex, output, data, imageShape, Arg<Seed>.trackedSeed(), Arg("progress", default: true),
            doc: "Explanations of many rows (a Dataset or a Tensor `[N, ...]`) with one method and one class "
                + "(`classIndex` nil: the class predicted most often): `Explanations`, shown as the mean |attribution| "
                + "bar chart and a beeswarm; `.table` is the data. An interrupt keeps the finished rows and shows them.",
            example: "explainAll(model, data.test, method: .shap(background: data.train, samples: 512)).table"
        ) {
            context, function, rows, method, classIndex, output, data, imageShape, seed, progress
                -> ExplanationSetObject in
            guard !rows.rows.isEmpty else {
                throw BuiltinError(.value, "there are no rows to explain", parameter: "rows")
            }
            if method.isRandom { RigorChecks.checkSeed(seed, of: "explainAll", in: context) }
            let names = data ?? rows.dataset ?? method.reference?.dataset
            let model = try modelFunction(
                function, rowShape: data?.featureShape ?? rows.rowShape, names: names, output: output,
                imageShape: imageShape, context: context)
            for (number, row) in rows.rows.enumerated() {
                try check(row, model, parameter: "rows", what: "row \(number)")
            }
            let index = try classIndex ?? predictedClass(rows.rows, model)
            try checkClass(index, model)
            try checkMethod(method, model)
            let set = try run(method, context: context, progress: progress, total: rows.rows.count) { handler in
                try Explainer.explainAll(
                    model, rows.rows, method: method.attributionMethod(seed: seed.generatorSeed), classIndex: index,
                    progress: handler)
            }
            return ExplanationSetObject(set)
        }
        registerInsightTypes(in: registry)
    }

    // MARK: the function explained

    private static func modelFunction(
        _ function: ExplainedFunction, rowShape: [Int], names: DatasetObject?, output: ExplainedOutput?,
        imageShape: Shape?, context: CallContext
    ) throws -> ModelFunction {
        let featureCount = rowShape.reduce(1, *)
        var image: ImageLayout?
        if let imageShape {
            let e = imageShape.extents
            guard (e.count == 2 || e.count == 3), e.reduce(1, *) == featureCount else {
                throw BuiltinError(
                    .value,
                    "imageShape \(TensorError.format(shape: e)) does not fit rows of \(featureCount) values; give "
                        + "[height, width] or [channels, height, width]", parameter: "imageShape")
            }
            image =
                e.count == 2
                ? ImageLayout(height: e[0], width: e[1]) : ImageLayout(channels: e[0], height: e[1], width: e[2])
        }
        let featureNames = names?.featureNames?.count == featureCount ? names?.featureNames : nil
        switch function {
        case .model(let object):
            let inputShape = object.inputShape ?? rowShape
            try object.materialize(inputShape)
            func make(_ transform: ModelFunction.OutputTransform) throws -> ModelFunction {
                do {
                    return try ModelFunction(
                        model: object.model, inputShape: inputShape, output: transform, featureNames: featureNames,
                        classNames: names?.classNames, image: image)
                } catch let error as InsightError {
                    throw BuiltinError(.value, error.description, parameter: "model")
                }
            }
            let raw = try make(.identity)
            switch output {
            case .logits: return raw
            case .probabilities: return try make(raw.outputCount > 1 ? .softmax : .sigmoid)
            case nil: return raw.outputCount > 1 ? try make(.softmax) : raw
            }
        case .function(let closure):
            if output == .probabilities {
                throw BuiltinError(
                    .value, "a script function's value is explained as it is; remove `output:`", parameter: "output")
            }
            let call = context.prepare(closure.value)
            return ModelFunction(
                featureCount: featureCount, outputCount: 1, featureNames: featureNames, classNames: ["f(x)"],
                image: image
            ) { rows in
                try rows.map { row in
                    let value: Value
                    do {
                        value = try call(row.scriptValue)
                    } catch  where context.interrupt.isRequested {
                        // An interrupt inside the script function is the user's interrupt, not a failing model
                        // (ModelInsight reports any other error from the function as `model` failing).
                        throw InsightError(
                            .cancelled, "explain",
                            "interrupted while the script function ran; no partial estimate is kept")
                    }
                    if let number = value.doubleValue { return [number] }
                    throw BuiltinError(
                        .type, "the function returns a number, not '\(value.typeName)'", parameter: "model")
                }
            }
        }
    }

    private static func check(_ row: [Double], _ model: ModelFunction, parameter: String, what: String) throws {
        guard row.count == model.featureCount else {
            throw BuiltinError(
                .value,
                "\(what) has \(row.count) features; the model takes \(model.featureCount) "
                    + "(shape \(TensorError.format(shape: model.inputShape)))", parameter: parameter)
        }
        if let bad = row.firstIndex(where: { !$0.isFinite }) {
            throw BuiltinError(
                .value, "\(what) has \(describe(row[bad])) at feature '\(model.featureNames[bad])'",
                parameter: parameter)
        }
    }

    private static func checkClass(_ index: Int, _ model: ModelFunction) throws {
        guard index < model.outputCount else {
            let named = model.classNames.count == model.outputCount && model.classNames.first != "class 0"
            let names = named ? " (\(model.classNames.joined(separator: ", ")))" : ""
            throw BuiltinError(
                .value,
                "class index \(index) is out of range: the model has \(model.outputCount) output"
                    + (model.outputCount == 1 ? "" : "s") + " (0..<\(model.outputCount))\(names)",
                parameter: "classIndex")
        }
    }

    private static func describe(_ value: Double) -> String {
        value.isNaN ? "NaN" : value > 0 ? "+infinity" : "-infinity"
    }

    /// Problems of the method with this function, found before any work: background rows that do not fit, NaN,
    /// gradients of a script function, an image method on tabular rows.
    private static func checkMethod(_ method: InsightMethod, _ model: ModelFunction) throws {
        if let reference = method.reference {
            guard !reference.rows.isEmpty else {
                throw BuiltinError(.value, "the background set is empty; pass some training rows", parameter: "method")
            }
            for (number, row) in reference.rows.enumerated() {
                guard row.count == model.featureCount else {
                    throw BuiltinError(
                        .value,
                        "background row \(number) has \(row.count) features; the model takes \(model.featureCount)",
                        parameter: "method")
                }
                if let bad = row.firstIndex(where: { !$0.isFinite }) {
                    throw BuiltinError(
                        .value,
                        "background row \(number) has \(describe(row[bad])) at feature '\(model.featureNames[bad])'; "
                            + "drop or impute missing values first", parameter: "method")
                }
            }
        }
        let name = method.attributionMethod(seed: 0).name
        switch method {
        case .limeImage, .occlusion:
            guard model.image != nil else {
                throw BuiltinError(
                    .value,
                    ".\(name) is an image method, and the rows are tabular (shape "
                        + "\(TensorError.format(shape: model.inputShape))); pass imageShape: [height, width] for "
                        + "flattened images, or use .shap, .lime or .integratedGradients", parameter: "method")
            }
        default: break
        }
        if method.attributionMethod(seed: 0).needsGradients, !model.isDifferentiable {
            throw BuiltinError(
                .value,
                ".\(name) needs input gradients, and a script function has none; use .shap, .permutationSHAP, "
                    + ".exactShapley or .lime", parameter: "method")
        }
    }

    /// The class the function predicts most often over `rows` (ties: the smallest id).
    private static func predictedClass(_ rows: [[Double]], _ model: ModelFunction) throws -> Int {
        if model.outputCount == 1 { return 0 }
        let outputs = try insight { try model(rows) }
        var counts = Array(repeating: 0, count: model.outputCount)
        for output in outputs {
            let best = output.indices.max { output[$0] < output[$1] || (output[$0] == output[$1] && $0 > $1) } ?? 0
            counts[best] += 1
        }
        return counts.indices.max { counts[$0] < counts[$1] || (counts[$0] == counts[$1] && $0 > $1) } ?? 0
    }

    /// Engine refusals as errors at the argument they are about.
    static func insight<R>(_ body: () throws -> R) throws -> R {
        do {
            return try body()
        } catch let error as InsightError {
            switch error.kind {
            case .cancelled: throw BuiltinError(.interrupted, error.description)
            case .modelFailed: throw BuiltinError(.value, error.description, parameter: "model")
            case .invalidArgument where error.reason.hasPrefix("x ") || error.reason.hasPrefix("row "):
                throw BuiltinError(.value, error.description, parameter: "x")
            case .invalidArgument where error.reason.contains("class index"):
                throw BuiltinError(.value, error.description, parameter: "classIndex")
            default: throw BuiltinError(.value, error.description, parameter: "method")
            }
        } catch let error as TensorError {
            throw BuiltinError(.value, "\(error)", parameter: "model")
        }
    }

    // MARK: progress

    /// Runs `work` with a progress handler that shows a live progress line (after half a second) and stops at an
    /// interrupt. A partial result is shown and the call fails as interrupted, saying what finished.
    private static func run<R: MIMERepresentable>(
        _ method: InsightMethod, context: CallContext, progress shows: Bool, total rows: Int?,
        _ work: (@escaping ProgressHandler) throws -> R
    ) throws -> R {
        let live = shows ? LiveOutput(context: context, prefix: "rigor-explain") : nil
        let start = Date()
        var began = false
        var last: InsightProgress?
        var interrupted = false
        let name = method.attributionMethod(seed: 0).name
        func bundle(_ p: InsightProgress) -> MIMEBundle {
            let elapsed = Date().timeIntervalSince(start)
            let text = "\(name): \(p.completed) of \(p.total) \(p.phase), \(String(format: "%.1f", elapsed)) s"
            let html =
                "<div class=\"rigor-explain-progress\"><progress max=\"\(p.total)\" value=\"\(p.completed)\" "
                + "style=\"width:16em\"></progress> <span>\(Markup.escape(text))</span></div>"
            return MIMEBundle(html: html, plainText: text)
        }
        let handler: ProgressHandler = { p in
            last = p
            if context.interrupt.isRequested {
                interrupted = true
                return true
            }
            guard let live else { return false }
            if !began {
                if Date().timeIntervalSince(start) >= 0.5 {
                    began = true
                    live.begin(bundle(p))
                }
            } else {
                live.update(bundle(p))
            }
            return false
        }
        let result = try insight { try work(handler) }
        if began, let last { live?.end(bundle(last)) }
        let complete = (result as? Explanation)?.isComplete ?? (result as? ExplanationSet)?.isComplete ?? true
        if interrupted || !complete {
            // What finished is shown; the interrupt then stops the cell as it would anywhere else.
            if let rich = context.host as? RichOutputHost {
                rich.display(result.mimeBundle, id: "rigor-explain-partial-" + UUID().uuidString.lowercased())
            }
            let kept: String
            if let set = result as? ExplanationSet {
                kept = "\(set.explanations.count) of \(rows ?? set.requested) rows finished and are shown above"
            } else if let last {
                kept = "the estimate from \(last.completed) of \(last.total) \(last.phase) is shown above"
            } else {
                kept = "the partial estimate is shown above"
            }
            throw BuiltinError(.interrupted, "\(name) interrupted; \(kept)")
        }
        return result
    }

    // MARK: types

    private static func registerInsightTypes(in registry: BuiltinRegistry) {
        let type = registry.type(
            ExplanationObject.self,
            doc: "One prediction explained (`explain`): attributions per feature that add up, with the base value, "
                + "to f(x), and the method's check.")
        type.property(
            "method", doc: "The method and its settings (`KernelSHAP (256 coalitions, 150 background rows, seed 0)`)."
        ) {
            $0.explanation.method
        }
        type.property("featureNames", doc: "The name of each feature.") { $0.explanation.featureNames }
        type.property("values", doc: "The explained input x, flattened.") { $0.explanation.values }
        type.property("attributions", doc: "One attribution per feature (flattened for images).") {
            $0.explanation.attributions
        }
        type.property("baseValue", doc: "E f over the background, f(baseline), or LIME's intercept.") {
            $0.explanation.baseValue
        }
        type.property("prediction", doc: "f(x): the explained output at x.") { $0.explanation.prediction }
        type.property("total", doc: "The sum of the attributions.") { $0.explanation.total }
        type.property("classIndex", doc: "The explained output.") { $0.explanation.classIndex }
        type.property("className", doc: "The explained output's name.") { $0.explanation.className }
        type.property("ranking", doc: "Feature names by |attribution|, largest first.") { object in
            object.explanation.ranking.map { object.explanation.featureNames[$0] }
        }
        type.property("check", doc: "The method's check as a sentence (efficiency or completeness gap, LIME's R²).") {
            $0.explanation.check.summary
        }
        type.property(
            "gap",
            doc: "Σ attributions − (f(x) − base) for SHAP and integrated gradients; surrogate(x) − f(x) for LIME; nil "
                + "when the method has no check."
        ) { object -> Double? in
            switch object.explanation.check {
            case .efficiency(let gap), .completeness(let gap, _): return gap
            case .surrogateFit(_, let gap): return gap
            case .none: return nil
            }
        }
        type.property("isComplete", doc: "false when an interrupt stopped the sampling early.") {
            $0.explanation.isComplete
        }
        type.property("modelEvaluations", doc: "Rows the model evaluated for this explanation.") {
            $0.explanation.modelEvaluations
        }
        type.method(
            "attribution", Arg<String>(nil, "feature"), doc: "The attribution of the feature named `feature`.",
            example: "e.attribution(\"petal_length_(cm)\")"
        ) { object, _, feature -> Double in
            guard let index = object.explanation.featureNames.firstIndex(of: feature) else {
                throw BuiltinError(
                    .value,
                    "no feature named '\(feature)'; the features are "
                        + object.explanation.featureNames.prefix(12).joined(separator: ", "), parameter: "feature")
            }
            return object.explanation.attributions[index]
        }

        let set = registry.type(
            ExplanationSetObject.self,
            doc: "Many rows explained with one method (`explainAll`): mean |attribution|, beeswarm, table.")
        set.property("count", doc: "The rows explained.") { $0.set.explanations.count }
        set.property("explanations", doc: "Each row's `Explanation`.") { object in
            object.set.explanations.map { ExplanationObject($0) }
        }
        set.property("featureNames", doc: "The name of each feature.") { $0.set.featureNames }
        set.property("meanAbsoluteAttributions", doc: "Mean |attribution| of each feature over the rows.") {
            $0.set.meanAbsoluteAttributions
        }
        set.property("ranking", doc: "Feature names by mean |attribution|, largest first.") { object in
            object.set.ranking.map { object.set.featureNames[$0] }
        }
        set.property("isComplete", doc: "false when an interrupt stopped before every row was explained.") {
            $0.set.isComplete
        }
        set.property("table", doc: "The attributions as data: a `Table`, one row per explanation.") {
            DisplayObject("Table", $0.set.table)
        }
        set.property("importance", doc: "The mean |attribution| bar chart alone.") {
            DisplayObject("BarList", $0.set.importanceChart())
        }
        set.property("beeswarm", doc: "The beeswarm chart alone (one dot per row, coloured by the feature's value).") {
            DisplayObject("Beeswarm", $0.set.beeswarm())
        }
        set.subscriptGetter { object, indices, _ in
            let all = object.set.explanations
            guard indices.count == 1, let i = indices[0].intValue, all.indices.contains(i) else {
                throw BuiltinError(.index, "index explanations with one row number in 0..<\(all.count)")
            }
            return ExplanationObject(all[i]).scriptValue
        }
    }
}
