// LayerContext: what a forward pass needs besides its input (training or evaluation mode, a seeded generator).
import TensorCore

/// The mode and randomness of one forward pass.
///
/// Training mode turns on dropout, batch statistics in normalization layers and their running-average updates;
/// evaluation mode turns them off. A class, so that layers deep in a model draw from the same generator.
public final class LayerContext {
    /// Whether this pass trains (dropout active, BatchNorm uses and updates batch statistics).
    public var isTraining: Bool
    /// The generator dropout and other stochastic layers draw from.
    public var generator: RandomGenerator

    /// A context in the given mode, its generator seeded with `seed`.
    public init(isTraining: Bool = false, seed: UInt64 = 0) {
        self.isTraining = isTraining
        self.generator = RandomGenerator(seed: seed)
    }

    /// An evaluation-mode context.
    public static var evaluation: LayerContext { LayerContext(isTraining: false) }
}
