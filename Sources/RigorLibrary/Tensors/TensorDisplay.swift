// TensorDisplay: a tensor as an HTML table (small) or its statistics and a corner preview (large).
import NeuralNetworks
import RichDisplay
import RigorScript
import TensorCore

extension TensorObject: MIMERepresentable {
    /// A matrix or vector of at most 20 × 20 as an HTML table; anything larger as its statistics and a preview of its
    /// corners (the first matrix of a higher-rank tensor), like NumPy's summarized printing.
    var mimeBundle: MIMEBundle {
        let tensor = self.tensor
        guard tensor.rank >= 1 else { return MIMEBundle(plainText: description) }
        guard tensor.rank > 2 || tensor.scalarCount > 400 else {
            let columns = tensor.rank == 2 ? tensor.shape[1] : tensor.shape[0]
            let scalars = tensor.scalars.map { TableCell.number(Double($0)) }
            let rows = stride(from: 0, to: scalars.count, by: max(columns, 1)).map { start in
                Array(scalars[start..<min(start + columns, scalars.count)])
            }
            let table = Table(
                columns: (0..<columns).map(String.init), rows: rows,
                title: "Tensor \(TensorError.format(shape: tensor.shape))")
            return MIMEBundle(html: table.html, plainText: description)
        }
        return MIMEBundle(html: Self.summaryHTML(tensor), plainText: description)
    }

    /// Statistics (over the finite values; NaN and ±∞ counted apart) and a corner preview, as two HTML tables.
    static func summaryHTML(_ tensor: Tensor) -> String {
        let shape = TensorError.format(shape: tensor.shape)
        // Read in place, without a copy: the tensor may be most of the memory limit.
        return tensor.withUnsafeBufferPointer { scalars in
            let finite = scalars.lazy.filter(\.isFinite).map(Double.init)
            let count = Double(finite.count)
            let mean = count > 0 ? finite.reduce(0, +) / count : .nan
            let std = count > 0 ? (finite.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / count).squareRoot() : .nan
            let nan = scalars.lazy.filter(\.isNaN).count
            let infinite = scalars.lazy.filter(\.isInfinite).count
            let none = TableCell.text("-")
            var statistics: [[TableCell]] = [
                ["elements", .integer(scalars.count)], ["min", finite.min().map { .number($0) } ?? none],
                ["max", finite.max().map { .number($0) } ?? none], ["mean", .number(mean)], ["std", .number(std)],
            ]
            if nan > 0 { statistics.append(["NaN", .integer(nan)]) }
            if infinite > 0 { statistics.append(["±inf", .integer(infinite)]) }
            // The preview: a matrix (the first one of a higher-rank tensor, a row for a vector), its corners.
            let rowCount = tensor.rank >= 2 ? tensor.shape[tensor.rank - 2] : 1
            let columnCount = tensor.shape[tensor.rank - 1]
            let leading = tensor.rank > 2 ? String(repeating: "0, ", count: tensor.rank - 2) : ""
            func indices(_ n: Int, head: Int, tail: Int) -> [Int?] {
                n <= head + tail + 1 ? (0..<n).map { $0 } : (0..<head).map { $0 } + [nil] + (n - tail..<n).map { $0 }
            }
            let rowIndices = indices(rowCount, head: 5, tail: 2)
            let columnIndices = indices(columnCount, head: 6, tail: 2)
            let rows = rowIndices.map { row -> [TableCell] in
                // The skipped rows: a "⋮" in the index column only, so the value columns stay numeric (right-aligned).
                guard let row else { return ["⋮"] + columnIndices.map { _ in .empty } }
                return [.integer(row)]
                    + columnIndices.map { column in
                        column.map { .number(Double(scalars[row * columnCount + $0])) } ?? "…"
                    }
            }
            let preview =
                tensor.rank == 1 ? "" : tensor.rank == 2 ? "" : " (the matrix [\(leading):, :])"
            return Table(columns: ["statistic", "value"], rows: statistics, title: "Tensor \(shape)").html
                + Table(
                    columns: [""] + columnIndices.map { $0.map(String.init) ?? "…" }, rows: rows,
                    title: "preview\(preview)"
                ).html
        }
    }
}
