// Checkpoint: a model's weights in the safetensors format, written atomically (temporary file + rename).
import Foundation
import TensorCore

/// Saves and loads weights as safetensors (https://huggingface.co/docs/safetensors): an 8-byte little-endian header
/// length, a JSON header `{"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, "__metadata__":
/// {...}}`, then the raw little-endian data. Names follow PyTorch's `state_dict` (`0.weight`, `1.running_mean`), so
/// `safetensors.torch.load_file` reads a `Sequential`'s checkpoint into the matching `nn.Sequential`.
public enum Checkpoint {
    /// Writes every parameter and buffer of `model` to `path`: first to a temporary file in the same folder, then
    /// renamed over `path`, so a crash mid-save leaves the previous file intact. A file that cannot be written is a
    /// ``FileAccessError`` with the operating system's reason.
    public static func save(_ model: any Layer, to path: String, metadata: [String: String] = [:]) throws {
        try write(model.namedParameters.map { ($0.name, $0.parameter.value) }, to: path, metadata: metadata)
    }

    /// Writes named tensors to `path` atomically.
    public static func write(
        _ tensors: [(name: String, tensor: Tensor)], to path: String, metadata: [String: String] = [:]
    )
        throws
    {
        // The header through Foundation's JSON writer, keys sorted so the same model always gives the same bytes; the
        // explicit data offsets, not the key order, say where each tensor's data is.
        var entries: [String: Any] = [:]
        if !metadata.isEmpty { entries["__metadata__"] = metadata }
        var offset = 0
        for (name, tensor) in tensors {
            let end = offset + 4 * tensor.scalarCount
            entries[name] = ["dtype": "F32", "shape": tensor.shape, "data_offsets": [offset, end]] as [String: Any]
            offset = end
        }
        var header = [UInt8](
            try JSONSerialization.data(withJSONObject: entries, options: [.sortedKeys, .withoutEscapingSlashes]))
        while header.count % 8 != 0 { header.append(0x20) }  // pad with spaces so the data is 8-byte aligned
        var data = Data(capacity: 8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: header)
        for (_, tensor) in tensors {
            tensor.withUnsafeBufferPointer { buffer in
                for value in buffer {
                    withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) }
                }
            }
        }
        try FileAccess.writeAtomically(data, to: path)
    }

    /// The tensors (F32, F64, F16, BF16, I64, I32, U8 converted to Float) and metadata of a safetensors file.
    public static func read(from path: String) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        try ArrayFile.checkSize(of: path, operation: "loadCheckpoint", expansion: 4)
        let bytes = [UInt8](try FileAccess.contents(of: path))
        guard bytes.count >= 8 else { throw NeuralNetworkError("loadCheckpoint", "\(path): too short for safetensors") }
        let headerLength = bytes[0..<8].enumerated().reduce(0) { $0 | (Int($1.element) << (8 * $1.offset)) }
        guard headerLength > 0, 8 + headerLength <= bytes.count,
            let header = try? JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + headerLength)])) as? [String: Any]
        else { throw NeuralNetworkError("loadCheckpoint", "\(path): the safetensors header is not valid JSON") }
        let base = 8 + headerLength
        var tensors: [String: Tensor] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                metadata = (value as? [String: String]) ?? [:]
                continue
            }
            guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
                let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int], offsets.count == 2,
                base + offsets[1] <= bytes.count, offsets[0] <= offsets[1]
            else { throw NeuralNetworkError("loadCheckpoint", "\(path): malformed entry for '\(name)'") }
            let raw = Array(bytes[(base + offsets[0])..<(base + offsets[1])])
            guard shape.allSatisfy({ $0 >= 0 }), let count = MemoryBudget.scalarCount(of: shape),
                let values = decode(raw, dtype: dtype), values.count == count
            else {
                throw NeuralNetworkError(
                    "loadCheckpoint", "\(path): '\(name)' has dtype \(dtype) and \(raw.count) bytes for shape \(shape)")
            }
            tensors[name] = try Tensor(shape: shape, scalars: values)
        }
        return (tensors, metadata)
    }

    /// Loads a checkpoint into `model` in place; names and shapes must match exactly (unless `strict` is false, when
    /// missing and unexpected names are skipped).
    public static func load(_ model: any Layer, from path: String, strict: Bool = true) throws {
        try load(model, from: try read(from: path).tensors, source: path, strict: strict)
    }

    /// Loads tensors already read from a checkpoint (``read(from:)``) into `model` in place, with the checks of
    /// ``load(_:from:strict:)``; `source` names the file in errors. One read can then fill several models.
    public static func load(
        _ model: any Layer, from tensors: [String: Tensor], source path: String, strict: Bool = true
    ) throws {
        let expected = model.namedParameters
        if strict {
            let missing = expected.map(\.name).filter { tensors[$0] == nil }
            let unexpected = tensors.keys.filter { name in !expected.contains { $0.name == name } }.sorted()
            if !missing.isEmpty || !unexpected.isEmpty {
                throw NeuralNetworkError(
                    "loadCheckpoint",
                    "\(path) does not fit the model: missing \(missing), unexpected \(unexpected)")
            }
        }
        for (name, parameter) in expected {
            guard let tensor = tensors[name] else { continue }
            guard tensor.shape == parameter.shape else {
                throw NeuralNetworkError(
                    "loadCheckpoint",
                    "'\(name)' is \(TensorError.format(shape: tensor.shape)) in \(path), "
                        + "\(TensorError.format(shape: parameter.shape)) in the model")
            }
            try parameter.assign(tensor.scalars)
        }
    }

    static func decode(_ raw: [UInt8], dtype: String) -> [Float]? {
        func words<T: FixedWidthInteger>(_ type: T.Type) -> [T]? {
            let size = MemoryLayout<T>.size
            guard raw.count % size == 0 else { return nil }
            return stride(from: 0, to: raw.count, by: size).map { start in
                var value: T = 0
                for byte in 0..<size { value |= T(truncatingIfNeeded: raw[start + byte]) << (8 * byte) }
                return value
            }
        }
        switch dtype {
        case "F32": return words(UInt32.self)?.map { Float(bitPattern: $0) }
        case "F64": return words(UInt64.self)?.map { Float(Double(bitPattern: $0)) }
        case "F16": return words(UInt16.self)?.map { Float(halfBits: $0) }
        case "BF16": return words(UInt16.self)?.map { Float(bitPattern: UInt32($0) << 16) }
        case "I64": return words(UInt64.self)?.map { Float(Int64(bitPattern: $0)) }
        case "I32": return words(UInt32.self)?.map { Float(Int32(bitPattern: $0)) }
        case "U8": return raw.map(Float.init)
        default: return nil
        }
    }
}

extension Float {
    /// An IEEE half-precision value from its bits.
    init(halfBits bits: UInt16) {
        let sign: Float = bits & 0x8000 != 0 ? -1 : 1
        let exponent = Int((bits >> 10) & 0x1F)
        let fraction = Float(bits & 0x3FF)
        switch exponent {
        case 0: self = sign * fraction * 0x1p-24
        case 31: self = fraction == 0 ? sign * .infinity : .nan
        default: self = sign * (1 + fraction / 1024) * Float(sign: .plus, exponent: exponent - 15, significand: 1)
        }
    }
}
