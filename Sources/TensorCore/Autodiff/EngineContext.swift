// EngineContext: the per-task switches of the engine (gradient recording, non-finite detection, memory limit).

import Synchronization

/// Task-local engine settings; `noGrad { }` and `Tensor.detectingNonFinite { }` set them for a scope.
struct EngineContext: Sendable {
    var isRecordingGradients = true
    var nonFiniteMonitor: NonFiniteMonitor?
    /// A scoped memory limit (`MemoryBudget.withLimit`), overriding the process's.
    var memoryLimit: Int?

    @TaskLocal static var current = EngineContext()
}

/// Remembers the first op whose result held NaN or ±Inf inside a `detectingNonFinite` scope.
final class NonFiniteMonitor: Sendable {
    let firstError = Mutex<TensorError?>(nil)

    func check(_ storage: TensorStorage, operation: String, shapes: [[Int]]) {
        let buffer = storage.buffer
        var finite = true
        for value in buffer where !value.isFinite {
            finite = false
            break
        }
        guard !finite else { return }
        let hasNaN = buffer.contains { $0.isNaN }
        firstError.withLock { error in
            if error == nil {
                error = TensorError(
                    operation, shapes: shapes, "produced \(hasNaN ? "NaN" : "Inf") (first non-finite op)")
            }
        }
    }
}

/// Runs `body` without recording the autodiff graph: results of ops inside do not require gradients.
///
/// Use it for evaluation, for optimizer updates, and for anything you will not differentiate.
public func noGrad<R, E: Error>(_ body: () throws(E) -> R) throws(E) -> R {
    var context = EngineContext.current
    context.isRecordingGradients = false
    let result: Result<R, E> = EngineContext.$current.withValue(context) {
        Result { () throws(E) -> R in try body() }
    }
    return try result.get()
}

extension Tensor {
    /// Whether ops executed here record the autodiff graph (false inside `noGrad { }`).
    public static var isRecordingGradients: Bool { EngineContext.current.isRecordingGradients }

    /// Runs `body` checking every op's result (forward and backward) for NaN and ±Inf, then throws a
    /// ``TensorError`` naming the first op that produced one. A debugging aid: it costs a scan of every result.
    public static func detectingNonFinite<R>(_ body: () throws(TensorError) -> R) throws(TensorError) -> R {
        let monitor = NonFiniteMonitor()
        var context = EngineContext.current
        context.nonFiniteMonitor = monitor
        let result: Result<R, TensorError> = EngineContext.$current.withValue(context) {
            Result { () throws(TensorError) -> R in try body() }
        }
        if let error = monitor.firstError.withLock({ $0 }) { throw error }
        return try result.get()
    }
}
