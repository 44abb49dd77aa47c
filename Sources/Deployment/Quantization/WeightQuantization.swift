// WeightQuantization: a weight matrix as int8 rows with one symmetric scale per output channel.
import TensorCore

/// A weight `[out, in…]` quantized per output channel: row `j` is `scales[j] · values[j, …]`, each value in
/// `[−127, 127]`; rows are stored padded to ``Int8GEMM``'s width with zeros.
public struct QuantizedWeights: Sendable {
    /// Output channels (rows).
    public let rows: Int
    /// Scalars per row before padding.
    public let columns: Int
    /// Scalars per stored row (a multiple of 16).
    let rowLength: Int
    /// The int8 values, `[rows, rowLength]`.
    public let values: [Int8]
    /// One scale per row.
    public let scales: [Float]
    /// Σ of each row's int8 values: the zero-point correction `zeroPoint · Σ w` of an asymmetric input.
    let rowSums: [Int32]

    /// Quantizes `weight` (`[out, …]`, flattened after the first axis) per output channel.
    public init(_ weight: Tensor) {
        let rows = weight.shape[0]
        let columns = rows == 0 ? 0 : weight.scalarCount / rows
        let rowLength = Int8GEMM.paddedLength(columns)
        self.rows = rows
        self.columns = columns
        self.rowLength = rowLength
        var values = [Int8](repeating: 0, count: rows * rowLength)
        var scales = [Float](repeating: 1, count: rows)
        var sums = [Int32](repeating: 0, count: rows)
        weight.withUnsafeBufferPointer { w in
            for row in 0..<rows {
                let start = row * columns
                var magnitude: Float = 0
                for p in 0..<columns { magnitude = Swift.max(magnitude, Swift.abs(w[start + p])) }
                let map = AffineQuantization.symmetric(maximumMagnitude: magnitude)
                scales[row] = map.scale
                var sum: Int32 = 0
                for p in 0..<columns {
                    let q = map.quantize(w[start + p])
                    values[row * rowLength + p] = q
                    sum += Int32(q)
                }
                sums[row] = sum
            }
        }
        self.values = values
        self.scales = scales
        rowSums = sums
    }

    /// The int8 value of row `row`, column `column`.
    public func value(row: Int, column: Int) -> Int8 { values[row * rowLength + column] }

    /// The weight the int8 values stand for, `[rows, columns]`.
    public func dequantized() throws -> Tensor {
        var scalars = [Float](repeating: 0, count: rows * columns)
        for row in 0..<rows {
            for p in 0..<columns { scalars[row * columns + p] = scales[row] * Float(values[row * rowLength + p]) }
        }
        return try Tensor(shape: [rows, columns], scalars: scalars)
    }

    /// Bytes a serialized copy takes: one byte per weight and a Float32 scale per row.
    public var byteCount: Int { rows * columns + 4 * rows }

    /// The int8 product of `m` float rows of `columns` scalars: each row quantized with `map` (or, when nil, with
    /// the rows' own range), multiplied in int32, dequantized with `bias`.
    ///
    /// - Shape: `input` `[m, columns]` → `[m, rows]`.
    func apply(_ input: UnsafePointer<Float>, m: Int, map: AffineQuantization?, bias: [Float]?) -> [Float] {
        let inputMap =
            map ?? QuantizedDense.dynamicQuantization(of: UnsafeBufferPointer(start: input, count: m * columns))
        var codes = [Int8](repeating: 0, count: Swift.max(m * rowLength, 1))
        codes.withUnsafeMutableBufferPointer { q in
            for row in 0..<m {
                inputMap.quantize(input + row * columns, count: columns, into: q.baseAddress! + row * rowLength)
            }
        }
        var output = [Float](repeating: 0, count: m * rows)
        codes.withUnsafeBufferPointer { q in
            output.withUnsafeMutableBufferPointer { y in
                multiply(q.baseAddress!, m: m, input: inputMap, bias: bias, into: y.baseAddress!, relu: false)
            }
        }
        return output
    }

    /// `output[i, j] = inputScale · scales[j] · (Σₚ x[i, p] · w[j, p] − zeroPoint · Σₚ w[j, p]) + bias[j]`, the
    /// int8 product of `m` quantized input rows (padded to `rowLength`) in int32, dequantized to floats.
    func multiply(
        _ input: UnsafePointer<Int8>, m: Int, input map: AffineQuantization, bias: [Float]?,
        into output: UnsafeMutablePointer<Float>, relu: Bool
    ) {
        let n = rows
        let accumulators = UnsafeMutablePointer<Int32>.allocate(capacity: Swift.max(m * n, 1))
        defer { accumulators.deallocate() }
        values.withUnsafeBufferPointer { w in
            Int8GEMM.multiply(input, w.baseAddress!, into: accumulators, m: m, n: n, rowLength: rowLength)
        }
        let zero = map.zeroPoint
        let factors = scales.map { $0 * map.scale }
        let corrections = rowSums.map { $0 &* zero }
        let offsets = bias ?? [Float](repeating: 0, count: n)
        for i in 0..<m {
            let row = accumulators + i * n
            let out = output + i * n
            for j in 0..<n {
                let y = factors[j] * Float(row[j] &- corrections[j]) + offsets[j]
                out[j] = relu ? Swift.max(y, 0) : y
            }
        }
    }
}
