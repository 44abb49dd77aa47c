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
            let scalars = tensor.scalars.map { format(Double($0)) }
            let rows = stride(from: 0, to: scalars.count, by: max(columns, 1)).map { start in
                Array(scalars[start..<min(start + columns, scalars.count)])
            }
            return bundle(
                description,
                html: htmlTable(
                    title: "Tensor \(TensorError.format(shape: tensor.shape))",
                    headers: (0..<columns).map(String.init), rows: rows))
        }
        return bundle(description, html: Self.summaryHTML(tensor))
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
            var statistics = [
                ["elements", String(scalars.count)], ["min", finite.min().map { format($0) } ?? "-"],
                ["max", finite.max().map { format($0) } ?? "-"], ["mean", format(mean)], ["std", format(std)],
            ]
            if nan > 0 { statistics.append(["NaN", String(nan)]) }
            if infinite > 0 { statistics.append(["±inf", String(infinite)]) }
            // The preview: a matrix (the first one of a higher-rank tensor, a row for a vector), its corners.
            let rowCount = tensor.rank >= 2 ? tensor.shape[tensor.rank - 2] : 1
            let columnCount = tensor.shape[tensor.rank - 1]
            let leading = tensor.rank > 2 ? String(repeating: "0, ", count: tensor.rank - 2) : ""
            func indices(_ n: Int, head: Int, tail: Int) -> [Int?] {
                n <= head + tail + 1 ? (0..<n).map { $0 } : (0..<head).map { $0 } + [nil] + (n - tail..<n).map { $0 }
            }
            let rowIndices = indices(rowCount, head: 5, tail: 2)
            let columnIndices = indices(columnCount, head: 6, tail: 2)
            let rows = rowIndices.map { row -> [String] in
                // The skipped rows: a "⋮" in the index column only, so the value columns stay numeric (right-aligned).
                guard let row else { return ["⋮"] + columnIndices.map { _ in "" } }
                return [String(row)]
                    + columnIndices.map { column in
                        column.map { format(Double(scalars[row * columnCount + $0])) } ?? "…"
                    }
            }
            let preview =
                tensor.rank == 1 ? "" : tensor.rank == 2 ? "" : " (the matrix [\(leading):, :])"
            return htmlTable(title: "Tensor \(shape)", headers: ["statistic", "value"], rows: statistics)
                + htmlTable(
                    title: "preview\(preview)", headers: [""] + columnIndices.map { $0.map(String.init) ?? "…" },
                    rows: rows)
        }
    }
}
