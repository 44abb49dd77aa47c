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

/// Runs an engine call, turning engine errors into `BuiltinError`s that name the op and shapes; `parameter` names the
/// argument to blame (the builtin's wrapper points the error there), nil blames the call.
func engine<T>(parameter: String? = nil, _ body: () throws -> T) throws -> T {
    func blamed(_ kind: ErrorKind, _ message: String, notes: [String] = []) -> BuiltinError {
        guard let parameter else { return BuiltinError(kind, message, notes: notes) }
        return BuiltinError(kind, message, parameter: parameter, notes: notes)
    }
    do {
        return try body()
    } catch let error as BuiltinError {
        throw error
    } catch let failure as TensorError where failure.isOutOfMemory {
        throw blamed(.memory, failure.description, notes: [memoryLimitNote])
    } catch let failure as TensorError {
        throw blamed(.shape, failure.description)
    } catch let failure as NeuralNetworkError {
        throw blamed(.shape, failure.description)
    } catch let failure as FileAccessError {
        throw blamed(.io, failure.description)
    } catch let failure as DataFileError {
        throw blamed(.io, String(describing: failure))
    } catch let failure as TrainingError {
        throw blamed(.runtime, failure.message)
    } catch {
        throw blamed(.runtime, String(describing: error))
    }
}
