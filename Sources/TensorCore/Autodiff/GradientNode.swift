// GradientNode: one vertex of the autodiff graph, the op that made a tensor and the tensors it read.

import Synchronization

/// The record an op leaves on its result: which operation, which input tensors, and what it saved for backward.
///
/// Leaves (tensors made with `requiringGrad()`) have the `.leaf` operation and accumulate their gradient here.
/// Interior nodes drop their inputs and saved tensors once `backward` has used them, unless the graph is retained.
final class GradientNode: Sendable {
    struct State {
        var operation: Operation
        var inputs: [Tensor]
        var gradient: Tensor?
        var isReleased = false
    }

    let shape: [Int]
    let state: Mutex<State>

    init(shape: [Int], operation: Operation, inputs: [Tensor]) {
        self.shape = shape
        state = Mutex(State(operation: operation, inputs: inputs))
    }

    var isLeaf: Bool { state.withLock { if case .leaf = $0.operation { true } else { false } } }

    var gradient: Tensor? { state.withLock { $0.gradient } }
}
