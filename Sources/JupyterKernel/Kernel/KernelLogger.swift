import Foundation

/// Where the kernel reports what it refuses or cannot do (dropped messages, socket errors).
/// Kernels log to stderr, which the Jupyter server keeps in its log.
public struct KernelLogger: Sendable {
    public var log: @Sendable (String) -> Void

    public init(log: @escaping @Sendable (String) -> Void) {
        self.log = log
    }

    public static let standardError = KernelLogger { line in
        FileHandle.standardError.write(Data("[rigor kernel] \(line)\n".utf8))
    }

    public static let silent = KernelLogger { _ in }
}
