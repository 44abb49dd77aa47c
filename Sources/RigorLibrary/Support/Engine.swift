// Engine: engine errors as `BuiltinError`s (ShapeError, MemoryError, IOError, …).
import Foundation
import NeuralNetworks
import RichDisplay
import RigorScript
import TensorCore

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
