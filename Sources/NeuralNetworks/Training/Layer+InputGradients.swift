// Layer+InputGradients: a forward pass that records the autodiff graph from the input (for attributions: saliency,
// integrated gradients), where `predict` runs without a graph.
import TensorCore

extension Layer {
    /// The model's outputs for `input` in evaluation mode, with the autodiff graph recorded from the input.
    ///
    /// Parameters enter as constants (their scalars, detached), so a backward pass from the result reaches the input
    /// alone and computes no weight gradients; pass `input.requiringGradient()` and read
    /// `Tensor.gradients(of:withRespectTo: [input])`. Unlike `predict`, the whole batch is one pass.
    ///
    /// - Shape: `[N, ...] → [N, ...output]`.
    /// - Throws: `NeuralNetworkError` inside `noGrad { }` (nothing would be recorded) or when the input does not
    ///   require gradients; the layers' own errors for a wrong input shape.
    public func predictRecordingGraph(_ input: Tensor) throws -> Tensor {
        guard Tensor.isRecordingGradients else {
            throw NeuralNetworkError("predictRecordingGraph", "called inside noGrad { }, where no graph is recorded")
        }
        guard input.requiresGradient else {
            throw NeuralNetworkError(
                "predictRecordingGraph", "the input does not require gradients; pass input.requiringGradient()")
        }
        return try Parameter.$entersAsConstant.withValue(true) { try forward(input, context: .evaluation) }
    }

    /// The model's outputs for `input` in evaluation mode and the gradient of `objective(outputs)` (a one-element
    /// tensor, e.g. the sum of one class's logits over the batch) with respect to the input.
    ///
    /// Rows of a batch are independent in evaluation mode, so the gradient of a sum over rows is each row's own
    /// gradient.
    ///
    /// - Shape: `input [N, ...]` → `(outputs [N, ...output], gradient [N, ...])`.
    public func inputGradient(
        _ input: Tensor, of objective: (Tensor) throws -> Tensor
    ) throws -> (outputs: Tensor, gradient: Tensor) {
        let leaf = input.detached().requiringGradient()
        let outputs = try predictRecordingGraph(leaf)
        let value = try objective(outputs)
        guard value.requiresGradient else {
            return (outputs.detached(), try Tensor.zeros(input.shape))
        }
        let gradient = try Tensor.gradients(of: value, withRespectTo: [leaf])[0]
        return (outputs.detached(), gradient)
    }
}
