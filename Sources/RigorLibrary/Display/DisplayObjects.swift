// DisplayObjects: `PlotObject` and `DisplayObject`, RichDisplay's charts and tables as script values.
import Foundation
import RichDisplay
import RigorScript
import TensorCore

/// A chart being built: `chart.line(...)` adds to it, showing it renders it.
final class PlotObject: NativeObject, MIMERepresentable, ArgumentType, ScriptValueConvertible {
    static var scriptTypeName: String { "Plot" }
    var plot: Plot
    init(_ plot: Plot) { self.plot = plot }
    var typeName: String { "Plot" }
    var description: String { plot.plainText }
    var mimeBundle: MIMEBundle { plot.mimeBundle }
}

/// A finished display value (a heatmap, an image grid, a table).
final class DisplayObject: NativeObject, MIMERepresentable, ArgumentType, ScriptValueConvertible {
    /// The script types are `Heatmap`, `ImageGrid` and `Table`.
    static var scriptTypeName: String { "Display" }
    let typeName: String
    let value: any MIMERepresentable
    init(_ typeName: String, _ value: any MIMERepresentable) {
        self.typeName = typeName
        self.value = value
    }
    var description: String { value.mimeBundle.plainText }
    var mimeBundle: MIMEBundle { value.mimeBundle }
}

/// Numbers from an array of numbers or a tensor (flattened): what a chart plots.
struct Numbers: ArgumentType {
    let values: [Double]
    static var scriptTypeName: String { "[Double]" }
    static func decode(_ value: Value, context: CallContext) throws -> Numbers? {
        if case .object(let object as TensorObject) = value {
            return Numbers(values: object.tensor.scalars.map(Double.init))
        }
        guard case .array(let elements) = value else { return nil }
        return Numbers(
            values: try elements.map {
                guard let number = $0.doubleValue else {
                    throw BuiltinError(.type, "expected numbers, found '\($0.typeName)'")
                }
                return number
            })
    }
}

/// Texts from an array of any values (each as it prints): labels and captions.
struct Texts: ArgumentType, ScriptValueConvertible {
    let values: [String]
    static var scriptTypeName: String { "[String]" }
    static func decode(_ value: Value, context: CallContext) -> Texts? {
        guard case .array(let elements) = value else { return nil }
        return Texts(values: elements.map(\.description))
    }
    var scriptValue: Value { values.scriptValue }
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

/// What `ImageGrid` shows: a dataset's first images (captioned with their labels) or a tensor of images.
enum ImageSource {
    case dataset(DatasetObject)
    case tensor(Tensor)
}

/// A value shown as one table (a data split, class counts, the run log's runs): `save` writes that table, so
/// `.csv` and `.json` work as they do for a `Table`.
protocol TableBacked {
    var table: Table { get }
}

extension SplitObject: TableBacked {}
extension ClassCountsObject: TableBacked {}
extension RunsObject: TableBacked {}
extension RunObject: TableBacked {}
