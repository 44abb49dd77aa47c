// DisplayObjects: `PlotObject` and `DisplayObject`, RichDisplay's charts and tables as script values.
import Foundation
import RichDisplay
import RigorScript
import TensorCore

/// A chart being built: `chart.line(...)` adds to it, showing it renders it.
final class PlotObject: NativeObject, MIMERepresentable {
    var plot: Plot
    init(_ plot: Plot) { self.plot = plot }
    var typeName: String { "Plot" }
    var description: String { plot.plainText }
    var mimeBundle: MIMEBundle { plot.mimeBundle }
}

/// A finished display value (a heatmap, an image grid, a table).
final class DisplayObject: NativeObject, MIMERepresentable {
    let typeName: String
    let value: any MIMERepresentable
    init(_ typeName: String, _ value: any MIMERepresentable) {
        self.typeName = typeName
        self.value = value
    }
    var description: String { value.mimeBundle.plainText }
    var mimeBundle: MIMEBundle { value.mimeBundle }
}

extension Arguments {
    /// Numbers from an array of numbers or a tensor (flattened).
    func numbers(_ index: Int) throws -> [Double] {
        if case .object(let object as TensorObject) = self[index] { return object.tensor.scalars.map(Double.init) }
        return try array(index).map {
            guard let number = $0.doubleValue else {
                throw BuiltinError(.type, "expected numbers, found '\($0.typeName)'", argument: index)
            }
            return number
        }
    }

    func optionalString(_ index: Int) throws -> String? { isNil(index) ? nil : try string(index) }

    func strings(_ index: Int) throws -> [String] { isNil(index) ? [] : try array(index).map(\.description) }

    /// A matrix from nested arrays or a tensor whose extents beyond two are 1 (`[1, 8, 8]` is an 8×8 image).
    func matrix(_ index: Int) throws -> [[Double]] {
        let tensor = try self.tensor(index)
        let extents = tensor.shape.filter { $0 != 1 }
        guard extents.count <= 2 else {
            throw BuiltinError(
                .shape, "expected a matrix, got shape \(TensorError.format(shape: tensor.shape))", argument: index)
        }
        let columns = extents.last ?? 1
        let scalars = tensor.scalars.map(Double.init)
        return stride(from: 0, to: scalars.count, by: max(columns, 1)).map { Array(scalars[$0..<$0 + columns]) }
    }

    func lineStyle(_ index: Int) throws -> LineStyle {
        let member = try implicitMember(index, expected: "LineStyle")
        guard let style = LineStyle(rawValue: member.name) else {
            throw BuiltinError(
                .value, "unknown style '.\(member.name)'; use .solid, .dashed or .dotted", argument: index)
        }
        return style
    }
}

func tableCell(_ value: Value) -> TableCell {
    switch value {
    case .int(let i): return .integer(i)
    case .double(let d): return .number(d)
    case .bool(let b): return .bool(b)
    case .string(let s): return .text(s)
    case .nil: return .empty
    default: return .text(value.description)
    }
}
