// SparsityReport: how many weights of each layer are zero, as data and as a RichDisplay table.
import NeuralNetworks
import RichDisplay

/// One row per weight tensor: its name, size, zeros and sparsity, and whether a mask holds it.
public struct SparsityRow: Sendable, Equatable {
    public let name: String
    public let shape: [Int]
    public let count: Int
    public let zeros: Int
    public let masked: Bool
    public var sparsity: Double { count == 0 ? 0 : Double(zeros) / Double(count) }
}

extension Pruning {
    /// The sparsity of every prunable weight of `model`, in `state_dict` order.
    public static func sparsity(of model: any Layer) -> [SparsityRow] {
        prunableParameters(of: model).map { name, parameter in
            let zeros = parameter.value.withUnsafeBufferPointer { $0.count { $0 == 0 } }
            return SparsityRow(
                name: name, shape: parameter.shape, count: parameter.value.scalarCount, zeros: zeros,
                masked: parameter.mask != nil)
        }
    }

    /// The per-layer sparsity as a table, with the total in the footer.
    public static func sparsityTable(_ model: any Layer) -> Table {
        let rows = sparsity(of: model)
        var table = Table(
            columns: ["weight", "shape", "scalars", "zeros", "sparsity", "masked"],
            rows: rows.map { row in
                [
                    .text(row.name), .text("[" + row.shape.map(String.init).joined(separator: ", ") + "]"),
                    .integer(row.count), .integer(row.zeros), .number(row.sparsity), .bool(row.masked),
                ]
            },
            title: "Sparsity per layer")
        let total = rows.reduce(0) { $0 + $1.count }
        let zeros = rows.reduce(0) { $0 + $1.zeros }
        table.footer = [
            "total", "", .integer(total), .integer(zeros), .number(total == 0 ? 0 : Double(zeros) / Double(total)), "",
        ]
        return table
    }
}
