// ArrayFile: loaders for binary array files, IDX (the MNIST format) and NumPy .npy.
import Foundation
import TensorCore

/// Readers for binary n-dimensional arrays.
public enum ArrayFile {
    /// Reads an IDX file (MNIST's format): two zero bytes, a type code (0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32,
    /// 0x0D f32, 0x0E f64), the rank, big-endian 32-bit extents, then big-endian values.
    public static func readIDX(_ path: String) throws -> Tensor {
        let bytes = try contents(path, operation: "readIDX", expansion: 5)
        guard bytes.count >= 4, bytes[0] == 0, bytes[1] == 0 else {
            throw DataFileError(file: path, "not an IDX file (the magic number must start with two zero bytes)")
        }
        let size: Int
        switch bytes[2] {
        case 0x08, 0x09: size = 1
        case 0x0B: size = 2
        case 0x0C, 0x0D: size = 4
        case 0x0E: size = 8
        default: throw DataFileError(file: path, "unknown IDX type code 0x\(String(bytes[2], radix: 16))")
        }
        let rank = Int(bytes[3])
        guard bytes.count >= 4 + 4 * rank else { throw DataFileError(file: path, "truncated IDX header") }
        let shape = (0..<rank).map { axis in
            bytes[(4 + 4 * axis)..<(8 + 4 * axis)].reduce(0) { ($0 << 8) | Int($1) }
        }
        let start = 4 + 4 * rank
        guard let count = dataCount(shape, size: size, available: bytes.count - start, exact: true) else {
            throw DataFileError(
                file: path,
                "shape \(shape) needs \(dataBytes(shape, size: size)) data bytes, found \(bytes.count - start)")
        }
        var values = [Float](repeating: 0, count: count)
        for index in 0..<count {
            let offset = start + index * size
            let word = bytes[offset..<(offset + size)].reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
            switch bytes[2] {
            case 0x08: values[index] = Float(word)
            case 0x09: values[index] = Float(Int8(truncatingIfNeeded: word))
            case 0x0B: values[index] = Float(Int16(truncatingIfNeeded: word))
            case 0x0C: values[index] = Float(Int32(truncatingIfNeeded: word))
            case 0x0D: values[index] = Float(bitPattern: UInt32(word))
            default: values[index] = Float(Double(bitPattern: word))
            }
        }
        return try Tensor(shape: shape, scalars: values)
    }

    /// Reads a NumPy `.npy` file (versions 1–3, C order; dtypes f4, f8, f2, i1, i2, i4, i8, u1, u2, u4, u8, b1,
    /// either byte order).
    public static func readNPY(_ path: String) throws -> Tensor {
        let bytes = try contents(path, operation: "readNPY", expansion: 5)
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8) else {
            throw DataFileError(file: path, "not a .npy file (missing the \\x93NUMPY magic)")
        }
        let major = bytes[6]
        let headerLength: Int
        let headerStart: Int
        if major == 1 {
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        } else {
            guard bytes.count >= 12 else { throw DataFileError(file: path, "truncated .npy header") }
            headerLength = (8..<12).reduce(0) { $0 | Int(bytes[$1]) << (8 * ($1 - 8)) }
            headerStart = 12
        }
        guard bytes.count >= headerStart + headerLength,
            let header = String(bytes: bytes[headerStart..<(headerStart + headerLength)], encoding: .utf8)
        else { throw DataFileError(file: path, "truncated .npy header") }
        guard let descr = capture(header, key: "descr", open: "'", close: "'"),
            let shapeText = capture(header, key: "shape", open: "(", close: ")")
        else { throw DataFileError(file: path, "the .npy header has no descr or shape: \(header)") }
        if header.contains("'fortran_order': True") {
            throw DataFileError(file: path, "Fortran-ordered arrays are not supported; save with np.ascontiguousarray")
        }
        let shape = try shapeText.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.map { text -> Int in
                guard let extent = Int(text) else { throw DataFileError(file: path, "bad shape (\(shapeText))") }
                return extent
            }
        let bigEndian = descr.hasPrefix(">")
        let kind = descr.dropFirst().first ?? "?"
        guard let size = Int(descr.dropFirst(2)), [1, 2, 4, 8].contains(size) else {
            throw DataFileError(file: path, "unsupported dtype '\(descr)'")
        }
        let start = headerStart + headerLength
        guard shape.allSatisfy({ $0 >= 0 }),
            let count = dataCount(shape, size: size, available: bytes.count - start, exact: false)
        else {
            throw DataFileError(
                file: path,
                "shape \(shape) of \(descr) needs \(dataBytes(shape, size: size)) bytes, found \(bytes.count - start)")
        }
        var values = [Float](repeating: 0, count: count)
        for index in 0..<count {
            let offset = start + index * size
            var word: UInt64 = 0
            for byte in 0..<size {
                let b = UInt64(bytes[offset + (bigEndian ? byte : size - 1 - byte)])
                word = (word << 8) | b
            }
            switch (kind, size) {
            case ("f", 4): values[index] = Float(bitPattern: UInt32(word))
            case ("f", 8): values[index] = Float(Double(bitPattern: word))
            case ("f", 2): values[index] = Float(halfBits: UInt16(word))
            case ("i", _):
                let shift = UInt64(64 - 8 * size)
                values[index] = Float(Int64(bitPattern: word << shift) >> Int64(shift))
            case ("u", _), ("b", 1): values[index] = Float(word)
            default: throw DataFileError(file: path, "unsupported dtype '\(descr)'")
            }
        }
        return try Tensor(shape: shape, scalars: values)
    }

    /// The bytes of the file at `path`, after checking that it fits the ``MemoryBudget`` `expansion` times over
    /// (what reading it will hold at once: the bytes, their copies, the values decoded from them).
    static func contents(_ path: String, operation: String, expansion: Int) throws -> [UInt8] {
        try checkSize(of: path, operation: operation, expansion: expansion)
        let data = try FileAccess.contents(of: path)
        return [UInt8](data)
    }

    /// Throws a memory error (a `TensorError` with a shortfall) when `expansion` times the size of the file at
    /// `path` does not fit the memory budget; a file that cannot be inspected is left to the reader to report.
    static func checkSize(of path: String, operation: String, expansion: Int) throws {
        guard let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int else { return }
        let (total, overflow) = size.multipliedReportingOverflow(by: expansion)
        try MemoryBudget.check(count: overflow ? nil : total, scalarBytes: 1, operation: operation, shapes: [])
    }

    /// The scalar count of `shape` when its data (`size` bytes per scalar) is `available` bytes (`exact`) or fits in
    /// them; `nil` when it does not, including when the product overflows.
    static func dataCount(_ shape: [Int], size: Int, available: Int, exact: Bool) -> Int? {
        guard let count = MemoryBudget.scalarCount(of: shape) else { return nil }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: size)
        guard !overflow, exact ? bytes == available : bytes <= available else { return nil }
        return count
    }

    /// `count × size` for a message, or "more than 2⁶³" when it overflows.
    static func dataBytes(_ shape: [Int], size: Int) -> String {
        guard let count = MemoryBudget.scalarCount(of: shape) else { return "more than 2^63" }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: size)
        return overflow ? "more than 2^63" : String(bytes)
    }

    static func capture(_ header: String, key: String, open: Character, close: Character) -> String? {
        guard let keyRange = header.range(of: "'\(key)':") else { return nil }
        let rest = header[keyRange.upperBound...]
        guard let start = rest.firstIndex(of: open) else { return nil }
        let after = rest.index(after: start)
        guard let end = rest[after...].firstIndex(of: close) else { return nil }
        return String(rest[after..<end])
    }
}
