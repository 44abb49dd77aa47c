// Tensors: `Tensor` as a script value: creation, arithmetic with broadcasting, reductions, autodiff.
import Foundation
import NeuralNetworks
import RigorScript
import TensorCore

extension RigorLibrary {
    static func registerTensors(in registry: BuiltinRegistry) {
        registry.beginFamily("Tensors")
        let type = registry.type(
            TensorObject.self,
            doc: "An n-dimensional array of Float32 numbers with broadcasting arithmetic and automatic "
                + "differentiation. Operators `+ - * /` work between tensors and with numbers.",
            conformsTo: ["Sequence"])
        type.initializer(
            Arg<Tensor>(nil, "values", type: "[[Double]]"),
            doc: "A tensor from a number, nested arrays of numbers (their nesting is the shape), or a tensor.",
            example: "let t = Tensor([[1, 2], [3, 4]])   // shape [2, 2]"
        ) { _, values in values }
        type.initializer(
            Arg<Shape>("shape"), Arg<[Float]>("scalars"),
            doc: "A tensor of `shape` filled row by row from `scalars`.",
            example: "Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])"
        ) { _, shape, scalars in
            try engine(parameter: "scalars") { try Tensor(shape: shape.extents, scalars: scalars) }
        }
        registerCreation(type)
        registerArithmetic(type)
        registerReductions(type)
        registerShapes(type)
        registerAutodiff(type)
        type.subscriptGetter { object, indices, _ in try subscriptTensor(object.tensor, indices) }
        type.iterate { object, _ in
            let tensor = object.tensor
            guard tensor.rank >= 1 else { throw BuiltinError(.type, "a scalar tensor cannot be iterated") }
            return try (0..<tensor.shape[0]).map { try subscriptTensor(tensor, [.int($0)]) }
        }

        registry.function(
            "matmul", Arg<Tensor>(nil, "a"), Arg<Tensor>(nil, "b"),
            doc: "The matrix product `a × b` (batch axes broadcast; rank-1 operands allowed).",
            example: "matmul(Tensor([[1, 2]]), Tensor([[3], [4]]))   // [[11.0]]"
        ) { _, a, b in try engine { try Tensor.matmul(a, b) } }
        registry.function(
            "crossEntropy", Arg<Tensor>(nil, "logits"), Arg<Tensor>(nil, "labels"),
            doc: "The mean softmax cross-entropy of `logits` `[N, C]` against class ids `labels` `[N]`.",
            example: "crossEntropy(Tensor([[2, 0], [0, 2]]), Tensor([0, 1]))"
        ) { _, logits, labels in try engine { try Loss.crossEntropy()(logits, labels) } }
    }

    private static func registerCreation(_ type: TypeBuilder<TensorObject>) {
        let shaped: [(String, String, (([Int]) throws -> Tensor))] = [
            ("zeros", "A tensor of zeros.", { try Tensor.zeros($0) }),
            ("ones", "A tensor of ones.", { try Tensor.ones($0) }),
        ]
        for (name, doc, make) in shaped {
            type.staticFunction(
                name, Arg<Shape>(nil, "shape"), doc: doc, example: "Tensor.\(name)([2, 3])"
            ) { _, shape in try engine(parameter: "shape") { try make(shape.extents) } }
        }
        type.staticFunction(
            "full", Arg<Shape>(nil, "shape"), Arg<Float>("value"),
            doc: "A tensor with every element `value`.", example: "Tensor.full([2, 2], value: 7)"
        ) { _, shape, value in try engine(parameter: "shape") { try Tensor.full(shape.extents, value: value) } }
        type.staticFunction(
            "random", Arg<Shape>(nil, "shape"), Arg<Float>("lower", default: 0), Arg<Float>("upper", default: 1),
            Arg<Seed>.trackedSeed(),
            doc: "Uniform random numbers in `lower..<upper`, reproducible from `seed`.",
            example: "Tensor.random([2, 3], seed: 42)"
        ) { context, shape, lower, upper, seed in
            RigorChecks.checkSeed(seed, of: "Tensor.random", in: context)
            var generator = RandomGenerator(seed: seed.generatorSeed)
            return try engine(parameter: "shape") {
                try Tensor.uniform(shape.extents, lower: lower, upper: upper, using: &generator)
            }
        }
        type.staticFunction(
            "randomNormal", Arg<Shape>(nil, "shape"), Arg<Float>("mean", default: 0),
            Arg<Float>("standardDeviation", default: 1), Arg<Seed>.trackedSeed(),
            doc: "Normally distributed random numbers, reproducible from `seed`.",
            example: "Tensor.randomNormal([3], seed: 1)"
        ) { context, shape, mean, standardDeviation, seed in
            RigorChecks.checkSeed(seed, of: "Tensor.randomNormal", in: context)
            var generator = RandomGenerator(seed: seed.generatorSeed)
            return try engine(parameter: "shape") {
                try Tensor.normal(shape.extents, mean: mean, standardDeviation: standardDeviation, using: &generator)
            }
        }
        type.staticFunction(
            "eye", Arg<Int>(nil, "n"), doc: "The `n × n` identity matrix.", example: "Tensor.eye(3)"
        ) { _, n in try engine(parameter: "n") { try Tensor.eye(n) } }
    }

    private static func registerArithmetic(_ type: TypeBuilder<TensorObject>) {
        let binary: [(String, String?, String, (Tensor, Tensor) throws -> Tensor)] = [
            ("adding", nil, "The elementwise sum, broadcasting (same as `+`).", { try $0 + $1 }),
            ("subtracting", nil, "The elementwise difference, broadcasting (same as `-`).", { try $0 - $1 }),
            ("multiplied", "by", "The elementwise product, broadcasting (same as `*`).", { try $0 * $1 }),
            ("divided", "by", "The elementwise quotient, broadcasting (same as `/`).", { try $0 / $1 }),
            ("matmul", nil, "The matrix product `self × other`.", { try Tensor.matmul($0, $1) }),
            ("maximum", nil, "The elementwise maximum, broadcasting.", { try Tensor.maximum($0, $1) }),
            ("minimum", nil, "The elementwise minimum, broadcasting.", { try Tensor.minimum($0, $1) }),
        ]
        for (name, label, doc, op) in binary {
            type.method(
                name, Arg<Tensor>(label, "other"), doc: doc,
                example: "Tensor([[1, 2]]).\(name)(\(label.map { "\($0): " } ?? "")Tensor([[3, 4]]))"
            ) { object, _, other in try engine { try op(object.tensor, other) } }
        }
        let unary: [(String, String, (Tensor) -> Tensor)] = [
            ("relu", "max(x, 0) elementwise.", { $0.relu() }),
            ("sigmoid", "1 / (1 + e^-x) elementwise.", { $0.sigmoid() }),
            ("tanh", "The hyperbolic tangent elementwise.", { $0.tanh() }),
            ("exp", "e^x elementwise.", { $0.exp() }),
            ("log", "The natural logarithm elementwise.", { $0.log() }),
            ("sqrt", "The square root elementwise.", { $0.squareRoot() }),
            ("squared", "x² elementwise.", { $0.squared() }),
            ("abs", "|x| elementwise.", { $0.abs() }),
            ("gelu", "The GELU activation elementwise.", { $0.gelu() }),
        ]
        for (name, doc, op) in unary {
            type.method(name, doc: doc, example: "Tensor([-1, 2]).\(name)()") { object, _ in op(object.tensor) }
        }
        let normalized: [(String, String, (Tensor, Int) throws -> Tensor)] = [
            (
                "softmax", "The softmax along `axis` (the last by default): each slice sums to 1.",
                { try $0.softmax(alongAxis: $1) }
            ),
            (
                "logSoftmax", "The log of the softmax along `axis`, computed stably.",
                { try $0.logSoftmax(alongAxis: $1) }
            ),
        ]
        for (name, doc, op) in normalized {
            type.method(
                name, Arg("axis", default: -1), doc: doc, example: "Tensor([[1, 2, 3]]).\(name)(axis: 1)"
            ) { object, _, axis in try engine(parameter: "axis") { try op(object.tensor, axis) } }
        }
    }

    private static func registerReductions(_ type: TypeBuilder<TensorObject>) {
        let reductions: [(String, String, (Tensor, [Int]) throws -> Tensor)] = [
            ("sum", "The sum of all elements, or along `axis`.", { try $0.sum(alongAxes: $1) }),
            ("mean", "The mean of all elements, or along `axis`.", { try $0.mean(alongAxes: $1) }),
            ("max", "The largest element, or the largest along `axis`.", { try $0.max(alongAxes: $1) }),
            ("min", "The smallest element, or the smallest along `axis`.", { try $0.min(alongAxes: $1) }),
            (
                "variance", "The population variance (divides by n) of all elements, or along `axis`.",
                { try $0.variance(alongAxes: $1) }
            ),
            (
                "standardDeviation",
                "The population standard deviation (divides by n, as the standardization of datasets does) of all "
                    + "elements, or along `axis`.",
                { try $0.standardDeviation(alongAxes: $1) }
            ),
        ]
        for (name, doc, reduce) in reductions {
            type.method(
                name, Arg<Int?>("axis", default: nil), doc: doc,
                example: "Tensor([[1, 2], [3, 4]]).\(name)(axis: 0)"
            ) { object, _, axis in
                try engine(parameter: "axis") { try reduce(object.tensor, axis.map { [$0] } ?? []) }
            }
        }
        let indices: [(String, String, (Tensor, Int) throws -> IndexTensor)] = [
            (
                "argmax", "The index of the largest element along `axis` (the last by default): an Int for a vector.",
                { try $0.argmax(alongAxis: $1) }
            ),
            (
                "argmin", "The index of the smallest element along `axis` (the last by default).",
                { try $0.argmin(alongAxis: $1) }
            ),
        ]
        for (name, doc, op) in indices {
            type.method(
                name, Arg("axis", default: -1), returns: "Int or [Int]", doc: doc,
                example: "Tensor([[1, 5, 2], [7, 0, 1]]).\(name)()   // [1, 0]"
            ) { object, _, axis in try engine(parameter: "axis") { try op(object.tensor, axis) } }
        }
        type.method(
            "item", doc: "The value of a one-element tensor.", example: "Tensor([[1, 2]]).sum().item()"
        ) { object, _ in Double(try engine { try object.tensor.item() }) }
        type.method(
            "toArray", returns: "[Any]", doc: "The elements as nested arrays of Doubles (a Double for a scalar).",
            example: "Tensor([[1, 2], [3, 4]]).toArray()   // [[1.0, 2.0], [3.0, 4.0]]"
        ) { object, _ in
            let tensor = object.tensor
            // Each element becomes a script value, several times the size of a Float.
            try engine {
                try MemoryBudget.check(
                    count: tensor.scalarCount, scalarBytes: MemoryLayout<Value>.stride + MemoryLayout<Float>.stride,
                    operation: "toArray", shapes: [tensor.shape])
            }
            return TensorObject.array(of: tensor)
        }
    }

    private static func registerShapes(_ type: TypeBuilder<TensorObject>) {
        type.property("shape", doc: "The extent of each axis.") { $0.tensor.shape }
        type.property("rank", doc: "The number of axes.") { $0.tensor.rank }
        type.property("count", doc: "The number of elements.") { $0.tensor.scalarCount }
        for name in ["reshaped", "reshape"] {
            type.method(
                name, Arg<[Value]>(nil, "shape", type: "[Int]"),
                doc: "The same elements in a new shape (one extent may be -1, inferred).",
                example: "Tensor.zeros([2, 3]).\(name)([3, -1])"
            ) { object, _, shape in
                try engine(parameter: "shape") { try object.tensor.reshaped(to: shape.map { $0.intValue ?? 0 }) }
            }
        }
        type.method(
            "transposed", Arg(nil, "first", default: -2), Arg(nil, "second", default: -1),
            doc: "The tensor with two axes swapped (the last two by default).",
            example: "Tensor([[1, 2, 3]]).transposed()   // shape [3, 1]"
        ) { object, _, first, second in try engine { try object.tensor.transposed(first, second) } }
        type.method(
            "flattened", doc: "The elements as a vector.", example: "Tensor.zeros([2, 3]).flattened()"
        ) { object, _ in try engine { try object.tensor.reshaped(to: [-1]) } }
    }

    private static func registerAutodiff(_ type: TypeBuilder<TensorObject>) {
        type.property(
            "requiresGrad",
            doc: "Whether gradients flow to this tensor; set it to `true` to make it a leaf that `backward()` fills.",
            get: { $0.tensor.requiresGradient },
            set: { object, flag in
                if flag && !object.tensor.requiresGradient {
                    object.tensor = object.tensor.requiringGradient()
                } else if !flag {
                    object.tensor = object.tensor.detached()
                }
            })
        type.method(
            "requiringGrad", doc: "A new leaf tensor with the same values that records gradients.",
            example: "let w = Tensor([1, 2]).requiringGrad()"
        ) { object, _ in object.tensor.requiringGradient() }
        type.method(
            "backward",
            doc: "Back-propagates from this one-element tensor, adding into the `grad` of every leaf it depends on.",
            example: "let w = Tensor([1, 2]).requiringGrad()\n(w * w).sum().backward()\nw.grad   // [2.0, 4.0]"
        ) { object, _ in try engine { try object.tensor.backward() } }
        type.property("grad", type: "Tensor?", doc: "The gradient accumulated by `backward()`, or nil.") {
            $0.tensor.gradient
        }
        type.method("zeroGrad", doc: "Clears the accumulated gradient.", example: "w.zeroGrad()") { object, _ in
            object.tensor.clearGradient()
        }
        type.method(
            "detached", doc: "The same values, cut from the gradient graph.", example: "let y = x.detached()"
        ) { object, _ in object.tensor.detached() }
    }
}
