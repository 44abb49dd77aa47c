// Tensor+Autodiff: leaves, detaching, gradients, and the iterative reverse-mode sweep.

extension Tensor {
    /// Builds an op's result, recording the op in the graph when gradients are on and an input requires them.
    init(result storage: TensorStorage, shape: [Int], operation: @autoclosure () -> Operation, inputs: [Tensor]) {
        self.init(
            result: storage, shape: shape, operation: operation(), inputs: inputs,
            tracked: inputs.contains { $0.node != nil })
    }

    /// The hot-path form: `tracked` says whether an input requires gradients, so that an op on plain tensors
    /// builds neither the inputs array nor the operation.
    @inline(__always)
    init(
        result storage: TensorStorage, shape: [Int], operation: @autoclosure () -> Operation,
        inputs: @autoclosure () -> [Tensor], tracked: Bool
    ) {
        let context = EngineContext.current
        var node: GradientNode?
        if tracked && context.isRecordingGradients {
            node = GradientNode(shape: shape, operation: operation(), inputs: inputs())
        }
        if let monitor = context.nonFiniteMonitor {
            monitor.check(storage, operation: operation().name, shapes: inputs().map(\.shape))
        }
        self.init(shape: shape, storage: storage, node: node)
    }

    /// Whether this tensor is part of the autodiff graph: a leaf made by ``requiringGradient()`` or a result of ops
    /// on one.
    public var requiresGradient: Bool { node != nil }

    /// A leaf of the autodiff graph with these scalars: `backward()` accumulates into its ``gradient``.
    ///
    /// Call it on parameters, and on inputs you differentiate with respect to (saliency, adversarial examples).
    public func requiringGradient() -> Tensor {
        Tensor(shape: shape, storage: storage, node: GradientNode(shape: shape, operation: .leaf, inputs: []))
    }

    /// The same scalars, cut from the graph: no gradient flows through the result.
    public func detached() -> Tensor { Tensor(shape: shape, storage: storage) }

    /// The gradient accumulated by `backward()` into this leaf, or `nil` before any (or for a non-leaf).
    public var gradient: Tensor? { node?.gradient }

    /// Forgets the accumulated gradient (the next `backward()` starts from zero).
    public func clearGradient() {
        node?.state.withLock { $0.gradient = nil }
    }

    /// Back-propagates from this one-element tensor (a loss): adds d(self)/d(leaf) to every leaf's ``gradient``.
    ///
    /// The graph is walked in topological order with an explicit stack, so depth is not limited by the call stack.
    /// Unless `retainingGraph` is true, each node drops its inputs and saved tensors once used.
    public func backward(retainingGraph: Bool = false) throws(TensorError) {
        guard scalarCount == 1 else {
            throw TensorError(
                "backward", shapes: [shape], "needs a one-element tensor; pass a seed gradient with backward(seed:)")
        }
        try backward(seed: Tensor.filled(shape, with: 1), retainingGraph: retainingGraph)
    }

    /// Back-propagates `seed` (d loss / d self, same shape as self) into the leaves' gradients.
    public func backward(seed: Tensor, retainingGraph: Bool = false) throws(TensorError) {
        guard seed.shape == shape else {
            throw TensorError(
                "backward", shapes: [shape, seed.shape], "the seed gradient must have the tensor's shape")
        }
        guard node != nil else {
            throw TensorError(
                "backward", shapes: [shape],
                "the tensor does not depend on any tensor that requires gradients (made inside noGrad?)")
        }
        _ = try Self.propagate(from: self, seed: seed, retainingGraph: retainingGraph, targets: [], accumulate: true)
    }

    /// The gradients of the one-element tensor `output` with respect to each of `inputs`, without touching any
    /// leaf's accumulated ``gradient``. Inputs that `output` does not depend on get zeros.
    ///
    /// - Shape: each result has the shape of the matching input.
    public static func gradients(
        of output: Tensor, withRespectTo inputs: [Tensor], retainingGraph: Bool = false
    ) throws(TensorError) -> [Tensor] {
        guard output.scalarCount == 1 else {
            throw TensorError("gradients", shapes: [output.shape], "the output must be a one-element tensor")
        }
        let targets = Set(inputs.compactMap { $0.node.map(ObjectIdentifier.init) })
        let found = try propagate(
            from: output, seed: Tensor.filled(output.shape, with: 1), retainingGraph: retainingGraph, targets: targets,
            accumulate: false)
        return inputs.map { input in
            input.node.flatMap { found[ObjectIdentifier($0)] } ?? Tensor.filled(input.shape, with: 0)
        }
    }

    /// The reverse sweep. Returns the gradients reaching the `targets` nodes.
    private static func propagate(
        from root: Tensor, seed: Tensor, retainingGraph: Bool, targets: Set<ObjectIdentifier>, accumulate: Bool
    ) throws(TensorError) -> [ObjectIdentifier: Tensor] {
        guard let rootNode = root.node else { return [:] }
        let order = topologicalOrder(from: rootNode)
        return try noGrad { () throws(TensorError) -> [ObjectIdentifier: Tensor] in
            let monitor = EngineContext.current.nonFiniteMonitor
            var pending: [ObjectIdentifier: Tensor] = [ObjectIdentifier(rootNode): seed]
            var found: [ObjectIdentifier: Tensor] = [:]
            for node in order.reversed() {
                let id = ObjectIdentifier(node)
                guard let outputGradient = pending.removeValue(forKey: id) else { continue }
                if targets.contains(id) { found[id] = outputGradient }
                let (operation, inputs, isReleased) = node.state.withLock { ($0.operation, $0.inputs, $0.isReleased) }
                if case .leaf = operation {
                    if accumulate {
                        var total = outputGradient
                        if let existing = node.gradient { total = try existing + outputGradient }
                        node.state.withLock { $0.gradient = total }
                    }
                    continue
                }
                guard !isReleased else {
                    throw TensorError(
                        "backward", shapes: [node.shape],
                        "the graph was already freed by an earlier backward; pass retainingGraph: true to it")
                }
                if case .view(let view) = operation, let inputNode = inputs[0].node {
                    // A slice's gradient is zero outside the slice: add it straight into the input's pending
                    // gradient instead of materializing a zero tensor of the input's shape per slice.
                    let inputID = ObjectIdentifier(inputNode)
                    var target = pending.removeValue(forKey: inputID) ?? Tensor.filled(inputs[0].shape, with: 0)
                    target.withUnsafeMutableBufferPointer { _ in }  // make it unique (copy-on-write)
                    view.accumulate(outputGradient.storage, into: target.storage)
                    monitor?.check(target.storage, operation: "backward of slice", shapes: [node.shape])
                    pending[inputID] = target
                    if !retainingGraph { release(node) }
                    continue
                }
                let needed = inputs.map { $0.node != nil }
                let inputGradients = try gradientRule(
                    operation, inputs: inputs, outputShape: node.shape, gradient: outputGradient, needed: needed)
                if !retainingGraph { release(node) }
                for (input, gradient) in zip(inputs, inputGradients) {
                    guard let inputNode = input.node, let gradient else { continue }
                    guard gradient.shape == input.shape else {
                        throw TensorError(
                            "backward of \(operation.name)", shapes: [input.shape, gradient.shape],
                            "internal error: gradient shape differs from input shape")
                    }
                    monitor?.check(gradient.storage, operation: "backward of \(operation.name)", shapes: [node.shape])
                    let inputID = ObjectIdentifier(inputNode)
                    if var existing = pending.removeValue(forKey: inputID) {
                        // In place when this sweep holds the only reference (copy-on-write otherwise).
                        existing.withUnsafeMutableBufferPointer { total in
                            let addend = gradient.storage.pointer
                            for index in total.indices { total[index] += addend[index] }
                        }
                        pending[inputID] = existing
                    } else {
                        pending[inputID] = gradient
                    }
                }
            }
            return found
        }
    }

    /// Drops a node's inputs and saved tensors once its rule has run.
    private static func release(_ node: GradientNode) {
        node.state.withLock {
            $0.inputs = []
            $0.operation = .reshape
            $0.isReleased = true
        }
    }

    /// Nodes ordered so that each comes after all nodes it reads (iterative depth-first post-order).
    private static func topologicalOrder(from root: GradientNode) -> [GradientNode] {
        var order: [GradientNode] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(node: GradientNode, isExpanded: Bool)] = [(root, false)]
        while let (node, isExpanded) = stack.popLast() {
            if isExpanded {
                order.append(node)
                continue
            }
            guard visited.insert(ObjectIdentifier(node)).inserted else { continue }
            stack.append((node, true))
            let inputs = node.state.withLock { $0.inputs }
            for input in inputs {
                if let inputNode = input.node, !visited.contains(ObjectIdentifier(inputNode)) {
                    stack.append((inputNode, false))
                }
            }
        }
        return order
    }
}
