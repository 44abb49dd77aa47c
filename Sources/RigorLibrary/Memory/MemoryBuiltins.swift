// Memory: the engine's memory limit as builtins (read it, change it, see what tensors hold).
import RigorScript
import TensorCore

extension RigorLibrary {
    static func registerMemory(in registry: BuiltinRegistry) {
        registry.beginFamily("Memory")
        // Arrays and strings that builtins of the language build (`Array(repeating:count:)`) answer to the same
        // limit as tensors.
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
        registry.global(
            "memoryLimit", returns: "Int",
            doc: "The bytes tensors may hold in this kernel: an op asking for more than the limit minus "
                + "`memoryInUse()` fails with a MemoryError. The default is 3/4 of the smallest of physical memory, "
                + "the cgroup limit and RLIMIT_AS; RIGOR_MEMORY_LIMIT or `setMemoryLimit` change it.",
            example: "memoryLimit() / (1 << 30)   // GiB"
        ) { _, _ in .int(MemoryBudget.limit) }
        registry.global(
            "memoryInUse", returns: "Int", doc: "The bytes live tensors hold now.",
            example: "memoryInUse()"
        ) { _, _ in .int(MemoryBudget.bytesInUse) }
        registry.global(
            "setMemoryLimit", [param(nil, "limit", "Int or String?")],
            doc: "Sets the memory limit: bytes (an Int), a size such as \"8G\" or \"512M\", a percentage of the "
                + "machine's memory such as \"50%\", or nil for the default.",
            example: "setMemoryLimit(\"4G\")"
        ) { arguments, _ in
            switch arguments[0] {
            case .nil:
                MemoryBudget.setLimit(nil)
            case .int(let bytes) where bytes > 0:
                MemoryBudget.setLimit(bytes)
            case .string(let text):
                guard let bytes = MemoryBudget.parse(text, relativeTo: MemoryBudget.systemBound) else {
                    throw BuiltinError(
                        .value, "'\(text)' is not a size: write bytes, \"512M\", \"8G\" or \"50%\"", argument: 0)
                }
                MemoryBudget.setLimit(bytes)
            default:
                throw BuiltinError(
                    .value, "a memory limit is a positive number of bytes, a size such as \"8G\", a percentage, or nil",
                    argument: 0)
            }
            return .nil
        }
    }
}
