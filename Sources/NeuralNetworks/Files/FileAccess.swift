// FileAccess: reading a whole file and writing one atomically, with the operating system's reason on failure.
import Foundation

/// Whole-file reads and atomic writes that fail with a ``FileAccessError`` naming the path and the reason.
package enum FileAccess {
    /// The bytes of the file at `path`.
    package static func contents(of path: String) throws -> Data {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileAccessError(path: path, access: .read, errorNumber: errno) }
        defer { close(descriptor) }
        var data = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { return data }
            if count < 0 {
                if errno == EINTR { continue }
                // A directory opens but cannot be read (EISDIR).
                throw FileAccessError(path: path, access: .read, errorNumber: errno)
            }
            data.append(contentsOf: chunk[0..<count])
        }
    }

    /// Writes `data` to `path` atomically: to a temporary file in the same directory (so the rename cannot cross
    /// file systems), flushed to disk, then renamed over `path`. A reader never sees half a file, and a failed
    /// write leaves the previous file as it was and no temporary file behind.
    package static func writeAtomically(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp").path
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else { throw FileAccessError(path: path, access: .write, errorNumber: errno) }
        var failure: Int32 = 0
        data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count, let base = buffer.baseAddress {
                let written = write(descriptor, base + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                offset += written
            }
        }
        if failure == 0, fsync(descriptor) != 0 { failure = errno }
        if close(descriptor) != 0, failure == 0 { failure = errno }
        if failure == 0, rename(temporary, path) != 0 { failure = errno }
        if failure != 0 {
            unlink(temporary)
            throw FileAccessError(path: path, access: .write, errorNumber: failure)
        }
    }
}
