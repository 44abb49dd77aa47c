import Crypto
import Foundation

/// Signs and checks messages with the connection file's key: HMAC-SHA256 over the header,
/// parent header, metadata and content frames, as lower-case hex. An empty key means unsigned.
public struct MessageSigner: Sendable {
    private let storage: KeyStorage?

    /// The key, made once. `SymmetricKey` is not `Sendable`, but this one is never mutated after
    /// init, so sharing it between the kernel's threads is safe.
    private final class KeyStorage: @unchecked Sendable {
        let key: SymmetricKey
        init(_ key: SymmetricKey) { self.key = key }
    }

    public init(key: String, scheme: String = "hmac-sha256") {
        precondition(scheme == "hmac-sha256" || key.isEmpty, "unsupported signature scheme \(scheme)")
        self.storage = key.isEmpty ? nil : KeyStorage(SymmetricKey(data: Data(key.utf8)))
    }

    public var isSigning: Bool { storage != nil }

    private var key: SymmetricKey? { storage?.key }

    /// The hex signature of the four JSON frames ("" when unsigned).
    public func signature(of frames: [Data]) -> Data {
        guard let key else { return Data() }
        var hmac = HMAC<SHA256>(key: key)
        for frame in frames { hmac.update(data: frame) }
        return Data(Self.hex(Data(hmac.finalize())).utf8)
    }

    /// Whether `signature` (hex) authenticates the frames. Compared in constant time by
    /// swift-crypto; with an empty key every message is accepted.
    public func isValid(signature: Data, for frames: [Data]) -> Bool {
        guard let key else { return true }
        guard let code = Self.bytes(fromHex: signature), code.count == SHA256.byteCount else { return false }
        var hmac = HMAC<SHA256>(key: key)
        for frame in frames { hmac.update(data: frame) }
        // Comparing the two codes goes through swift-crypto's constant-time equality.
        return hmac.finalize() == code
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    static func hex(_ bytes: Data) -> String {
        var output = [UInt8]()
        output.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            output.append(hexDigits[Int(byte >> 4)])
            output.append(hexDigits[Int(byte & 0xF)])
        }
        return String(decoding: output, as: UTF8.self)
    }

    static func bytes(fromHex hex: Data) -> Data? {
        guard hex.count % 2 == 0 else { return nil }
        func nibble(_ character: UInt8) -> UInt8? {
            switch character {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var output = Data(capacity: hex.count / 2)
        var iterator = hex.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            guard let high = nibble(high), let low = nibble(low) else { return nil }
            output.append(high << 4 | low)
        }
        return output
    }
}
