// RigorLibrary: the bridge that registers the engine's builtins (tensors, data, models, training,
// evaluation) into the language. Only this target turns engine types into script values.
import Foundation
import NeuralNetworks
import RichDisplay
import RigorScript
import TensorCore

/// The engine builtins, registered after the prelude.
public enum RigorLibrary {
    /// Registers every family into `registry` (the prelude first, if it is not there yet).
    ///
    /// A `Session(registry:)` created afterwards sees everything; a session created before must call
    /// `defineBuiltins()` again.
    ///
    /// `trainingObserver`, if given, hears every `fit` as it runs (start, each batch, each epoch, the end): what a
    /// front end renders as a live progress bar and loss chart. It runs on the interpreter's thread, so it should
    /// be quick (throttle display updates there).
    public static func register(in registry: BuiltinRegistry, trainingObserver: TrainingObserver? = nil) {
        if registry.types["Int"] == nil { Prelude.register(in: registry) }
        registerTensors(in: registry)
        registerData(in: registry)
        registerModels(in: registry)
        registerTraining(in: registry, observer: trainingObserver)
        registerEvaluation(in: registry)
        registerDisplay(in: registry)
        registerMemory(in: registry)
    }

    /// A registry with the prelude and the library, ready for `Session(registry:)`.
    /// Call first thing in a process that will train models (`rigor kernel`, `rigor run`): when
    /// Debian's OpenBLAS does not recognise the CPU and falls back to generic kernels (4–5× slower
    /// GEMM), this re-executes the process once with `OPENBLAS_CORETYPE` set to the CPU's family.
    /// Otherwise it does nothing. See `BLASBackend` in docs/engine.md.
    public static func prepareEngine() {
        BLASBackend.relaunchWithRecommendedCoreTypeIfNeeded()
    }

    public static func makeRegistry() -> BuiltinRegistry {
        let registry = BuiltinRegistry()
        Prelude.register(in: registry)
        register(in: registry)
        return registry
    }
}

/// Where a running `fit` is, for live progress displays: its phase (the event just heard) and what a front end draws
/// of it, `view`. The view's numbers read and write as the progress's own (`progress.epoch`, `progress.metrics`,
/// `progress.bestEpoch`), so they are declared once, in `RichDisplay.TrainingProgressView`.
@dynamicMemberLookup
public struct TrainingProgress: Sendable {
    public enum Phase: Sendable, Equatable {
        case began, batch, epoch, ended
        /// Stopped by an interrupt or a non-finite loss, with the message the user sees.
        case stopped(String)
    }
    /// The event just heard; the view's state follows it.
    public var phase: Phase {
        didSet { view.state = Self.state(of: phase) }
    }
    /// What a front end draws: the progress line, the bar and the live loss chart.
    public private(set) var view: TrainingProgressView

    /// Training of `epochs` epochs about to begin.
    public init(epochs: Int) {
        phase = .began
        view = TrainingProgressView(
            state: .running, epoch: 0, epochs: epochs, batch: 0, batchesPerEpoch: 0, runningLoss: nil, metrics: [],
            elapsed: 0)
    }

    /// The view's numbers (`epoch`, `batch`, `metrics`, `elapsed`, `bestEpoch` — the best epoch so far, from 1, by
    /// `NeuralNetworks.History.bestEpoch`'s rule).
    public subscript<Member>(dynamicMember keyPath: WritableKeyPath<TrainingProgressView, Member>) -> Member {
        get { view[keyPath: keyPath] }
        set { view[keyPath: keyPath] = newValue }
    }

    private static func state(of phase: Phase) -> TrainingProgressView.State {
        switch phase {
        case .began, .batch, .epoch: return .running
        case .ended: return .finished
        case .stopped(let message): return .stopped(message)
        }
    }
}

/// Hears a running `fit` (see `RigorLibrary.register(in:trainingObserver:)`).
public typealias TrainingObserver = (TrainingProgress) -> Void

/// The error kind for shape mismatches and other engine failures on tensors.
extension ErrorKind {
    public static let shape = ErrorKind("ShapeError")
}

/// The note under every MemoryError: where the limit comes from.
let memoryLimitNote =
    "the limit is 3/4 of this machine's memory unless RIGOR_MEMORY_LIMIT or setMemoryLimit(_:) sets it"

/// Runs an engine call, turning engine errors into `BuiltinError`s that name the op and shapes.
func engine<T>(argument: Int? = nil, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as BuiltinError {
        throw error
    } catch let error as TensorError where error.isOutOfMemory {
        throw BuiltinError(
            .memory, error.description, argument: argument,
            notes: [memoryLimitNote]
        )
    } catch let error as TensorError {
        throw BuiltinError(.shape, error.description, argument: argument)
    } catch let error as NeuralNetworkError {
        throw BuiltinError(.shape, error.description, argument: argument)
    } catch let error as FileAccessError {
        throw BuiltinError(.io, error.description, argument: argument)
    } catch let error as DataFileError {
        throw BuiltinError(.io, String(describing: error), argument: argument)
    } catch let error as TrainingError {
        throw BuiltinError(.runtime, error.message, argument: argument)
    } catch {
        throw BuiltinError(.runtime, String(describing: error), argument: argument)
    }
}

// MARK: - Registration shorthands

/// A parameter: `param(nil, "x", "Tensor")` is `_ x: Tensor`.
func param(
    _ label: String?, _ name: String? = nil, _ type: String = "Any", default value: Value? = nil,
    text: String? = nil, closure: Bool = false
) -> Signature.Parameter {
    Signature.Parameter(label, name, type: type, default: value, defaultText: text, closure: closure)
}

extension TypeDescriptor {
    func define(
        _ name: String, _ parameters: [Signature.Parameter] = [], returns: String? = nil, doc: String,
        example: String, _ body: @escaping Method.Body
    ) {
        add(Method(Signature(name, parameters, returns: returns, doc: doc, example: example), body: body))
    }

    func getter(_ name: String, type: String, doc: String, _ get: @escaping (Value) throws -> Value) {
        add(Property(name, type: type, doc: doc, get: { value, _ in try get(value) }))
    }

    func staticFunction(
        _ name: String, _ parameters: [Signature.Parameter] = [], returns: String? = nil, doc: String,
        example: String, _ body: @escaping BuiltinFunction.Body
    ) {
        addStatic(
            BuiltinFunction(Signature(name, parameters, returns: returns, doc: doc, example: example), body: body))
    }

    func initializer(
        _ parameters: [Signature.Parameter], doc: String, example: String, _ body: @escaping BuiltinFunction.Body
    ) {
        addInitializer(
            BuiltinFunction(Signature(name, parameters, returns: name, doc: doc, example: example), body: body))
    }
}

extension BuiltinRegistry {
    func global(
        _ name: String, _ parameters: [Signature.Parameter] = [], returns: String? = nil, doc: String,
        example: String, _ body: @escaping BuiltinFunction.Body
    ) {
        register(Signature(name, parameters, returns: returns, doc: doc, example: example), body: body)
    }
}

extension Value {
    /// The receiver as a library object of type `T`.
    func object<T: NativeObject>(_ type: T.Type) throws -> T {
        if case .object(let object) = self, let typed = object as? T { return typed }
        throw BuiltinError(.type, "expected a \(String(describing: T.self)), got '\(typeName)'")
    }
}

extension Arguments {
    func optionalInt(_ index: Int) throws -> Int? { isNil(index) ? nil : try int(index) }
    /// An optional array of strings (nil when the argument is nil).
    func optionalStrings(_ index: Int) throws -> [String]? {
        guard !isNil(index) else { return nil }
        return try array(index).map { element in
            guard case .string(let text) = element else {
                throw BuiltinError(
                    .type, "expected an array of String, found an element of type '\(element.typeName)'",
                    argument: index)
            }
            return text
        }
    }
    func seed(_ index: Int) throws -> UInt64 {
        let value = try int(index)
        guard value >= 0 else { throw BuiltinError(.value, "a seed must not be negative", argument: index) }
        return UInt64(value)
    }
}

func format(_ value: Double, digits: Int = 4) -> String {
    guard value.isFinite else { return value.description }
    let scale = pow(10.0, Double(digits))
    let rounded = (value * scale).rounded() / scale
    // A tiny negative value (a standardized mean) rounds to -0.0; show it as 0.0.
    return (rounded == 0 ? 0.0 : rounded).description
}
