// A data fingerprint: the SHA-256 of the exact rows a run saw (their bytes, their shape), so two runs can be told
// to have used the same data, or not, without keeping the data.
import Crypto
import Foundation

/// A content hash of a data set: rows and shape. Equal fingerprints mean the same numbers in the same order.
public struct DataFingerprint: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The SHA-256, 64 lower-case hex digits.
    public let hex: String
    public let rows: Int

    public init(hex: String, rows: Int) {
        self.hex = hex
        self.rows = rows
    }

    /// Hashes `parts` (for example a feature buffer and a target buffer) with their shapes, in order.
    public init(rows: Int, parts: [(shape: [Int], values: UnsafeBufferPointer<Float>)]) {
        var hasher = SHA256()
        for part in parts {
            var header = part.shape.map { Int64($0).littleEndian }
            header.append(Int64(-1))
            header.withUnsafeBytes { hasher.update(bufferPointer: $0) }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(part.values))
        }
        hex = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        self.rows = rows
    }

    /// The first 12 hex digits: enough to tell data sets apart in a table.
    public var short: String { String(hex.prefix(12)) }

    public var description: String { "\(short) (\(rows) rows)" }
}
