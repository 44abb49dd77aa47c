// RigorLibrary: the bridge that registers the engine's builtins (tensors, data, models, training,
// evaluation) into the language. Only this target turns engine types into script values.
import Foundation
import NeuralNetworks
import RichDisplay
import RigorScript
import TensorCore

/// The engine builtins, registered after the prelude.
public enum RigorLibrary {
    /// Rigor's version (the kernel reports it in `kernel_info`; every recorded run keeps it).
    public static let version = "0.1.0"

    /// Registers every family into `registry` (the prelude first, if it is not there yet).
    ///
    /// A `Session(registry:)` created afterwards sees everything; a session created before must call
    /// `defineBuiltins()` again. Rich output — `display`, a running `fit`'s live view — goes through the session's
    /// host when it is a `RichOutputHost` (the kernel's), and prints as text otherwise.
    /// The families register lazily (`BuiltinRegistry.registerLazily`): on the first name, member or type a script
    /// uses that the prelude does not have, or on any listing (docs, completion, inspection). A script that only
    /// computes starts without them. The memory limit that the prelude's allocations answer to is installed at once.
    public static func register(in registry: BuiltinRegistry) {
        if !registry.hasPrelude { Prelude.register(in: registry) }
        installAllocationCheck(in: registry)
        registry.registerLazily(registerFamilies(in:))
    }

    static func registerFamilies(in registry: BuiltinRegistry) {
        registerTensors(in: registry)
        registerData(in: registry)
        registerModels(in: registry)
        registerTraining(in: registry)
        registerEvaluation(in: registry)
        registerInsight(in: registry)
        registerSearch(in: registry)
        registerSecurity(in: registry)
        registerDeployment(in: registry)
        registerDisplay(in: registry)
        registerWidgets(in: registry)
        registerRunLog(in: registry)
        registerRigor(in: registry)
        registerMemory(in: registry)
    }

    /// A registry with the prelude and the library, ready for `Session(registry:)`.
    public static func makeRegistry() -> BuiltinRegistry {
        let registry = BuiltinRegistry()
        Prelude.register(in: registry)
        register(in: registry)
        return registry
    }
}
