import Foundation

/// The memory limit for collections and strings that builtins build at a size the user chooses
/// (`Array(repeating:count:)`, `String(repeating:count:)`, `Array(0..<n)`): a request above it is a
/// `MemoryError` instead of a process that dies with every variable of the session.
///
/// The language knows nothing of tensors; a library that has its own budget (RigorLibrary's engine
/// limit) installs it with `allocationCheck`, so script values and tensors answer to one limit.
extension BuiltinRegistry {
    /// The bytes a `Value` takes in an array.
    public static let valueStride = MemoryLayout<Value>.stride

    /// The default limit without a library: three quarters of physical memory, or `RIGOR_MEMORY_LIMIT`
    /// given in bytes.
    static let defaultAllocationLimit: Int = {
        if let text = ProcessInfo.processInfo.environment["RIGOR_MEMORY_LIMIT"], let bytes = Int(text), bytes > 0 {
            return bytes
        }
        let physical = ProcessInfo.processInfo.physicalMemory
        return Int(clamping: physical / 4 * 3)
    }()

    /// Throws a `MemoryError` unless `count` elements of `stride` bytes may be allocated; `operation` names
    /// the builtin in the message, `parameter` the parameter whose value asked for the size.
    public func checkAllocation(count: Int, stride: Int, operation: String, parameter: String? = nil) throws {
        let (bytes, overflow) = count.multipliedReportingOverflow(by: stride)
        if let check = allocationCheck {
            do {
                try check(overflow ? nil : bytes, operation)
            } catch var error as BuiltinError {
                error.parameter = error.parameter ?? parameter
                throw error
            }
            return
        }
        let limit = Self.defaultAllocationLimit
        guard overflow || bytes > limit else { return }
        var error = BuiltinError(
            .memory,
            "\(operation): cannot allocate \(overflow ? "more than \(Int.max) bytes" : Self.describe(bytes: bytes)) "
                + "(\(count) elements): the memory limit is \(Self.describe(bytes: limit))",
            notes: ["the limit is 3/4 of this machine's memory unless RIGOR_MEMORY_LIMIT sets it"])
        error.parameter = parameter
        throw error
    }

    /// `1.5 GiB`-style sizes for messages.
    static func describe(bytes: Int) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) bytes" : String(format: "%.1f %@", value, units[unit])
    }
}
