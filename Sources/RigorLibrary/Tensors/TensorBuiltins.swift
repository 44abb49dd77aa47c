// Tensors: `Tensor` as a script value: creation, arithmetic with broadcasting, reductions, autodiff.
import Foundation
import NeuralNetworks
import RigorScript
import TensorCore

extension RigorLibrary {
    static func registerTensors(in registry: BuiltinRegistry) {
        registry.beginFamily("Tensors")
        let type = TypeDescriptor(
            "Tensor",
            doc: "An n-dimensional array of Float32 numbers with broadcasting arithmetic and automatic "
                + "differentiation. Operators `+ - * /` work between tensors and with numbers.")
        type.conformances = ["Sequence"]
        type.initializer(
            [param(nil, "values", "[[Double]]")],
            doc: "A tensor from a number, nested arrays of numbers (their nesting is the shape), or a tensor.",
            example: "let t = Tensor([[1, 2], [3, 4]])   // shape [2, 2]"
        ) { arguments, _ in wrap(try arguments.tensor(0)) }
        type.initializer(
            [param("shape", "shape", "[Int]"), param("scalars", "scalars", "[Double]")],
            doc: "A tensor of `shape` filled row by row from `scalars`.",
            example: "Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])"
        ) { arguments, _ in
            let shape = try arguments.shape(0)
            let scalars = try arguments.array(1).map { Float($0.doubleValue ?? .nan) }
            return wrap(try engine(argument: 1) { try Tensor(shape: shape, scalars: scalars) })
        }
        registerCreation(type)
        registerArithmetic(type)
        registerReductions(type)
        registerShapes(type)
        registerAutodiff(type)
        type.subscriptGetter = { value, indices, _ in try subscriptTensor(value.tensor, indices) }
        type.iterate = { value, _ in
            let tensor = try value.tensor
            guard tensor.rank >= 1 else { throw BuiltinError(.type, "a scalar tensor cannot be iterated") }
            return try (0..<tensor.shape[0]).map { try subscriptTensor(tensor, [.int($0)]) }
        }
        registry.register(type)

        registry.global(
            "matmul", [param(nil, "a", "Tensor"), param(nil, "b", "Tensor")], returns: "Tensor",
            doc: "The matrix product `a × b` (batch axes broadcast; rank-1 operands allowed).",
            example: "matmul(Tensor([[1, 2]]), Tensor([[3], [4]]))   // [[11.0]]"
        ) { arguments, _ in
            let a = try arguments.tensor(0)
            let b = try arguments.tensor(1)
            return wrap(try engine { try Tensor.matmul(a, b) })
        }
        registry.global(
            "crossEntropy", [param(nil, "logits", "Tensor"), param(nil, "labels", "Tensor")], returns: "Tensor",
            doc: "The mean softmax cross-entropy of `logits` `[N, C]` against class ids `labels` `[N]`.",
            example: "crossEntropy(Tensor([[2, 0], [0, 2]]), Tensor([0, 1]))"
        ) { arguments, _ in
            let logits = try arguments.tensor(0)
            let labels = try arguments.tensor(1)
            return wrap(try engine { try Loss.crossEntropy()(logits, labels) })
        }
    }

    private static func registerCreation(_ type: TypeDescriptor) {
        let shaped: [(String, String, (([Int]) throws -> Tensor))] = [
            ("zeros", "A tensor of zeros.", { try Tensor.zeros($0) }),
            ("ones", "A tensor of ones.", { try Tensor.ones($0) }),
        ]
        for (name, doc, make) in shaped {
            type.staticFunction(
                name, [param(nil, "shape", "[Int]")], returns: "Tensor", doc: doc,
                example: "Tensor.\(name)([2, 3])"
            ) { arguments, _ in
                let shape = try arguments.shape(0)
                return wrap(try engine(argument: 0) { try make(shape) })
            }
        }
        type.staticFunction(
            "full", [param(nil, "shape", "[Int]"), param("value", "value", "Double")], returns: "Tensor",
            doc: "A tensor with every element `value`.", example: "Tensor.full([2, 2], value: 7)"
        ) { arguments, _ in
            let shape = try arguments.shape(0)
            let value = Float(try arguments.double(1))
            return wrap(try engine(argument: 0) { try Tensor.full(shape, value: value) })
        }
        type.staticFunction(
            "random",
            [
                param(nil, "shape", "[Int]"), param("lower", "lower", "Double", default: .double(0)),
                param("upper", "upper", "Double", default: .double(1)), param("seed", "seed", "Int", default: .int(0)),
            ],
            returns: "Tensor", doc: "Uniform random numbers in `lower..<upper`, reproducible from `seed`.",
            example: "Tensor.random([2, 3], seed: 42)"
        ) { arguments, _ in
            let shape = try arguments.shape(0)
            let (lower, upper) = (Float(try arguments.double(1)), Float(try arguments.double(2)))
            var generator = RandomGenerator(seed: try arguments.seed(3))
            return wrap(
                try engine(argument: 0) { try Tensor.uniform(shape, lower: lower, upper: upper, using: &generator) })
        }
        type.staticFunction(
            "randomNormal",
            [
                param(nil, "shape", "[Int]"), param("mean", "mean", "Double", default: .double(0)),
                param("standardDeviation", "standardDeviation", "Double", default: .double(1)),
                param("seed", "seed", "Int", default: .int(0)),
            ],
            returns: "Tensor", doc: "Normally distributed random numbers, reproducible from `seed`.",
            example: "Tensor.randomNormal([3], seed: 1)"
        ) { arguments, _ in
            let shape = try arguments.shape(0)
            let (mean, std) = (Float(try arguments.double(1)), Float(try arguments.double(2)))
            var generator = RandomGenerator(seed: try arguments.seed(3))
            return wrap(
                try engine(argument: 0) {
                    try Tensor.normal(shape, mean: mean, standardDeviation: std, using: &generator)
                })
        }
        type.staticFunction(
            "eye", [param(nil, "n", "Int")], returns: "Tensor", doc: "The `n × n` identity matrix.",
            example: "Tensor.eye(3)"
        ) { arguments, _ in
            let n = try arguments.int(0)
            return wrap(try engine(argument: 0) { try Tensor.eye(n) })
        }
    }

    private static func registerArithmetic(_ type: TypeDescriptor) {
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
            type.define(
                name, [param(label, "other", "Tensor")], returns: "Tensor", doc: doc,
                example: "Tensor([[1, 2]]).\(name)(\(label.map { "\($0): " } ?? "")Tensor([[3, 4]]))"
            ) { receiver, arguments, _ in
                let a = try receiver.tensor
                let b = try arguments.tensor(0)
                return wrap(try engine { try op(a, b) })
            }
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
            type.define(name, returns: "Tensor", doc: doc, example: "Tensor([-1, 2]).\(name)()") {
                receiver, _, _ in wrap(op(try receiver.tensor))
            }
        }
        for (name, doc) in [
            ("softmax", "The softmax along `axis` (the last by default): each slice sums to 1."),
            ("logSoftmax", "The log of the softmax along `axis`, computed stably."),
        ] {
            type.define(
                name, [param("axis", "axis", "Int", default: .int(-1))], returns: "Tensor", doc: doc,
                example: "Tensor([[1, 2, 3]]).\(name)(axis: 1)"
            ) { receiver, arguments, _ in
                let tensor = try receiver.tensor
                let axis = try arguments.int(0)
                return wrap(
                    try engine(argument: 0) {
                        name == "softmax" ? try tensor.softmax(alongAxis: axis) : try tensor.logSoftmax(alongAxis: axis)
                    })
            }
        }
    }

    private static func registerReductions(_ type: TypeDescriptor) {
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
            type.define(
                name, [param("axis", "axis", "Int?", default: .nil)], returns: "Tensor", doc: doc,
                example: "Tensor([[1, 2], [3, 4]]).\(name)(axis: 0)"
            ) { receiver, arguments, _ in
                let tensor = try receiver.tensor
                let axes = try arguments.optionalInt(0).map { [$0] } ?? []
                return wrap(try engine(argument: 0) { try reduce(tensor, axes) })
            }
        }
        for (name, doc) in [
            ("argmax", "The index of the largest element along `axis` (the last by default): an Int for a vector."),
            ("argmin", "The index of the smallest element along `axis` (the last by default)."),
        ] {
            type.define(
                name, [param("axis", "axis", "Int", default: .int(-1))], returns: "Int or [Int]", doc: doc,
                example: "Tensor([[1, 5, 2], [7, 0, 1]]).\(name)()   // [1, 0]"
            ) { receiver, arguments, _ in
                let tensor = try receiver.tensor
                let axis = try arguments.int(0)
                let result = try engine(argument: 0) {
                    name == "argmax" ? try tensor.argmax(alongAxis: axis) : try tensor.argmin(alongAxis: axis)
                }
                return TensorObject.array(of: result)
            }
        }
        type.define(
            "item", returns: "Double", doc: "The value of a one-element tensor.",
            example: "Tensor([[1, 2]]).sum().item()"
        ) { receiver, _, _ in
            let tensor = try receiver.tensor
            return .double(Double(try engine { try tensor.item() }))
        }
        type.define(
            "toArray", returns: "[Any]", doc: "The elements as nested arrays of Doubles (a Double for a scalar).",
            example: "Tensor([[1, 2], [3, 4]]).toArray()   // [[1.0, 2.0], [3.0, 4.0]]"
        ) { receiver, _, _ in
            let tensor = try receiver.tensor
            // Each element becomes a script value, several times the size of a Float.
            try engine {
                try MemoryBudget.check(
                    count: tensor.scalarCount, scalarBytes: MemoryLayout<Value>.stride + MemoryLayout<Float>.stride,
                    operation: "toArray", shapes: [tensor.shape])
            }
            return TensorObject.array(of: tensor)
        }
    }

    private static func registerShapes(_ type: TypeDescriptor) {
        type.getter("shape", type: "[Int]", doc: "The extent of each axis.") { value in
            .array(try value.tensor.shape.map(Value.int))
        }
        type.getter("rank", type: "Int", doc: "The number of axes.") { value in .int(try value.tensor.rank) }
        type.getter("count", type: "Int", doc: "The number of elements.") { value in
            .int(try value.tensor.scalarCount)
        }
        for name in ["reshaped", "reshape"] {
            type.define(
                name, [param(nil, "shape", "[Int]")], returns: "Tensor",
                doc: "The same elements in a new shape (one extent may be -1, inferred).",
                example: "Tensor.zeros([2, 3]).\(name)([3, -1])"
            ) { receiver, arguments, _ in
                let tensor = try receiver.tensor
                let shape = try arguments.array(0).map { $0.intValue ?? 0 }
                return wrap(try engine(argument: 0) { try tensor.reshaped(to: shape) })
            }
        }
        type.define(
            "transposed",
            [param(nil, "first", "Int", default: .int(-2)), param(nil, "second", "Int", default: .int(-1))],
            returns: "Tensor", doc: "The tensor with two axes swapped (the last two by default).",
            example: "Tensor([[1, 2, 3]]).transposed()   // shape [3, 1]"
        ) { receiver, arguments, _ in
            let tensor = try receiver.tensor
            let (first, second) = (try arguments.int(0), try arguments.int(1))
            return wrap(try engine { try tensor.transposed(first, second) })
        }
        type.define(
            "flattened", returns: "Tensor", doc: "The elements as a vector.",
            example: "Tensor.zeros([2, 3]).flattened()"
        ) { receiver, _, _ in
            let tensor = try receiver.tensor
            return wrap(try engine { try tensor.reshaped(to: [-1]) })
        }
    }

    private static func registerAutodiff(_ type: TypeDescriptor) {
        type.add(
            Property(
                "requiresGrad", type: "Bool",
                doc:
                    "Whether gradients flow to this tensor; set it to `true` to make it a leaf that `backward()` fills.",
                get: { value, _ in .bool(try value.tensor.requiresGradient) },
                set: { value, newValue, _ in
                    let object = try value.object(TensorObject.self)
                    guard let flag = newValue.boolValue else {
                        throw BuiltinError(.type, "requiresGrad is a Bool")
                    }
                    if flag && !object.tensor.requiresGradient {
                        object.tensor = object.tensor.requiringGradient()
                    } else if !flag {
                        object.tensor = object.tensor.detached()
                    }
                }))
        type.define(
            "requiringGrad", returns: "Tensor", doc: "A new leaf tensor with the same values that records gradients.",
            example: "let w = Tensor([1, 2]).requiringGrad()"
        ) { receiver, _, _ in wrap(try receiver.tensor.requiringGradient()) }
        type.define(
            "backward", returns: "Void",
            doc: "Back-propagates from this one-element tensor, adding into the `grad` of every leaf it depends on.",
            example: "let w = Tensor([1, 2]).requiringGrad()\n(w * w).sum().backward()\nw.grad   // [2.0, 4.0]"
        ) { receiver, _, _ in
            let tensor = try receiver.tensor
            try engine { try tensor.backward() }
            return .nil
        }
        type.getter("grad", type: "Tensor?", doc: "The gradient accumulated by `backward()`, or nil.") { value in
            try value.tensor.gradient.map(wrap) ?? .nil
        }
        type.define(
            "zeroGrad", returns: "Void", doc: "Clears the accumulated gradient.", example: "w.zeroGrad()"
        ) { receiver, _, _ in
            try receiver.tensor.clearGradient()
            return .nil
        }
        type.define(
            "detached", returns: "Tensor", doc: "The same values, cut from the gradient graph.",
            example: "let y = x.detached()"
        ) { receiver, _, _ in wrap(try receiver.tensor.detached()) }
    }
}
