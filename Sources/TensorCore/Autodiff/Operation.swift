// Operation: what a node of the autodiff graph remembers about the op that made it.

/// The op that produced a tensor, with whatever the gradient rule needs beyond the inputs.
///
/// The inputs themselves are kept by the node; the rules in `Tensor+Backward.swift` read both.
enum Operation: Sendable {
    case leaf
    // Elementwise, binary (inputs: a, b).
    case add, subtract, multiply, divide, power, maximum, minimum
    case select(mask: Tensor)
    // Elementwise, unary (input: x). `output` is saved where the derivative is cheapest in terms of it.
    case negate, absolute, log, square, softplus, gelu
    case exp(output: Tensor)
    case squareRoot(output: Tensor)
    case sigmoid(output: Tensor)
    case tanh(output: Tensor)
    case relu
    case leakyRelu(slope: Float)
    case elu(alpha: Float)
    case powerScalar(exponent: Float)
    case clamp(lower: Float, upper: Float)
    // Reductions (input: x). `output` keeps the reduced axes with extent 1.
    case sum(axes: [Int])
    case extremum(axes: [Int], output: Tensor)
    case softmax(axis: Int, output: Tensor)
    case logSoftmax(axis: Int, output: Tensor)
    // Linear algebra (inputs: a, b).
    case matmul(transposeA: Bool, transposeB: Bool)
    // Movement (input: x).
    case reshape
    case permute(axes: [Int])
    case expand
    case view(StridedView)
    case pad(StridedView)
    case concatenate(axis: Int)
    case gather(axis: Int, indices: IndexTensor)
    case indexSelect(axis: Int, indices: IndexTensor)
    // Convolution and pooling (inputs: x, weight[, bias]).
    case conv2d(Convolution2DGeometry, columns: Tensor)
    case maxPool2d(Pooling2DGeometry, argmax: [Int32])
    case avgPool2d(Pooling2DGeometry)
    // Fused kernels.
    case biasActivation(Activation, output: Tensor)
    case softmaxCrossEntropy(labels: IndexTensor, probabilities: Tensor)
    case layerNorm(normalized: Tensor, inverseStandardDeviation: Tensor)
    case lstmCell(output: LSTMCellOutput, gates: Tensor, cellTanh: Tensor)
    case lstm(LSTMSequenceRecord)

    var name: String {
        switch self {
        case .leaf: "leaf"
        case .add: "add"
        case .subtract: "subtract"
        case .multiply: "multiply"
        case .divide: "divide"
        case .power: "pow"
        case .maximum: "maximum"
        case .minimum: "minimum"
        case .select: "select"
        case .negate: "negate"
        case .absolute: "abs"
        case .log: "log"
        case .square: "square"
        case .softplus: "softplus"
        case .gelu: "gelu"
        case .exp: "exp"
        case .squareRoot: "sqrt"
        case .sigmoid: "sigmoid"
        case .tanh: "tanh"
        case .relu: "relu"
        case .leakyRelu: "leakyRelu"
        case .elu: "elu"
        case .powerScalar: "pow"
        case .clamp: "clamp"
        case .sum: "sum"
        case .extremum: "max/min"
        case .softmax: "softmax"
        case .logSoftmax: "logSoftmax"
        case .matmul: "matmul"
        case .reshape: "reshape"
        case .permute: "permute"
        case .expand: "expand"
        case .view: "slice"
        case .pad: "pad"
        case .concatenate: "concatenate"
        case .gather: "gather"
        case .indexSelect: "indexSelect"
        case .conv2d: "conv2d"
        case .maxPool2d: "maxPool2d"
        case .avgPool2d: "avgPool2d"
        case .biasActivation: "addingBias"
        case .softmaxCrossEntropy: "crossEntropy"
        case .layerNorm: "layerNorm"
        case .lstmCell: "lstmCell"
        case .lstm: "lstm"
        }
    }
}
