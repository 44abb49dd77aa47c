// Memory: the engine's memory limit as builtins (read it, change it, see what tensors hold).
import RigorScript
import TensorCore

extension RigorLibrary {
    /// Arrays and strings that builtins of the language build (`Array(repeating:count:)`) answer to the same limit
    /// as tensors (installed when the library registers, before its lazily registered families).
    static func installAllocationCheck(in registry: BuiltinRegistry) {
        registry.allocationCheck = { bytes, operation in
            let available = MemoryBudget.availableBytes
            guard let bytes, bytes <= available else {
                let asked = bytes.map { MemoryBudget.format(bytes: $0) } ?? "more than \(Int.max) bytes"
                throw BuiltinError(
                    .memory,
                    "\(operation): cannot allocate \(asked): \(MemoryBudget.format(bytes: available)) of the "
                        + "\(MemoryBudget.format(bytes: MemoryBudget.limit)) memory limit is available",
                    notes: [memoryLimitNote])
            }
        }
    }

    static func registerMemory(in registry: BuiltinRegistry) {
        registry.beginFamily("Memory")
        registry.function(
            "memoryLimit",
            doc: "The bytes tensors may hold in this kernel: an op asking for more than the limit minus "
                + "`memoryInUse()` fails with a MemoryError. The default is 3/4 of the smallest of physical memory, "
                + "the cgroup limit and RLIMIT_AS; RIGOR_MEMORY_LIMIT or `setMemoryLimit` change it.",
            example: "memoryLimit() / (1 << 30)   // GiB"
        ) { _ in MemoryBudget.limit }
        registry.function(
            "memoryInUse", doc: "The bytes live tensors hold now.", example: "memoryInUse()"
        ) { _ in MemoryBudget.bytesInUse }
        registry.function(
            "setMemoryLimit",
            Arg<Int?>(nil, "limit", type: "Int or String?") { value, _ in
                switch value {
                case .nil:
                    return .some(nil)
                case .int(let bytes) where bytes > 0:
                    return bytes
                case .string(let text):
                    guard let bytes = MemoryBudget.parse(text, relativeTo: MemoryBudget.systemBound) else {
                        throw BuiltinError(.value, "'\(text)' is not a size: write bytes, \"512M\", \"8G\" or \"50%\"")
                    }
                    return bytes
                default:
                    throw BuiltinError(
                        .value,
                        "a memory limit is a positive number of bytes, a size such as \"8G\", a percentage, or nil")
                }
            },
            doc: "Sets the memory limit: bytes (an Int), a size such as \"8G\" or \"512M\", a percentage of the "
                + "machine's memory such as \"50%\", or nil for the default.",
            example: "setMemoryLimit(\"4G\")"
        ) { _, limit in MemoryBudget.setLimit(limit) }
    }
}
