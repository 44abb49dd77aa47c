// DeploymentObjects: the deployment family's script values: a sparsity report, a size/accuracy/latency comparison
// of models, and a running model service (`serve`) with its HTTP client.
import Deployment
import Foundation
import ModelServer
import NeuralNetworks
import OrderedCollections
import RichDisplay
import RigorScript
import TensorCore

/// `quantize(model, mode:)`: how each quantized layer's input range is chosen.
enum QuantizationMode {
    /// Each input's own minimum and maximum at every call (no calibration data).
    case dynamic
    /// Ranges fixed on a calibration sample: min-max, or the given percentile.
    case calibrated(percentile: Double?)
}

/// `prune(model, method:)`: which weights go.
enum PruningMethod: String {
    case magnitude, global, channel, twoFour
}

/// How many weights of each layer are zero (`prune` returns it; `model.sparsity()` reads it again).
final class SparsityObject: NativeObject, ArgumentType, ScriptValueConvertible {
    static var scriptTypeName: String { "Sparsity" }
    let rows: [SparsityRow]
    let table: Table
    init(_ model: any Layer) {
        rows = Pruning.sparsity(of: model)
        table = Pruning.sparsityTable(model)
    }
    var count: Int { rows.reduce(0) { $0 + $1.count } }
    var zeros: Int { rows.reduce(0) { $0 + $1.zeros } }
    /// Zeros over all weights (0 when the model has none).
    var total: Double { count == 0 ? 0 : Double(zeros) / Double(count) }
    var typeName: String { Self.scriptTypeName }
    var description: String { table.plainText }
}

/// One model measured by `compare`: its stored size, weights, accuracy and latencies.
struct ModelMeasurement {
    let name: String
    let bytes: Int
    let weights: Int
    let nonzeroWeights: Int
    let accuracy: Double
    /// Median milliseconds per forward pass, one per batch size.
    let latencies: [Double]
}

/// Models side by side (`compare`): size, nonzero weights, test accuracy and latency per batch size, the first
/// model as the reference for the ratios.
final class ModelComparisonObject: NativeObject, ArgumentType, ScriptValueConvertible {
    static var scriptTypeName: String { "ModelComparison" }
    let measurements: [ModelMeasurement]
    let batchSizes: [Int]
    let testName: String
    init(_ measurements: [ModelMeasurement], batchSizes: [Int], testName: String) {
        self.measurements = measurements
        self.batchSizes = batchSizes
        self.testName = testName
    }

    var table: Table {
        let reference = measurements[0]
        var columns = ["model", "size (bytes)", "size ratio", "nonzero weights", "accuracy", "Δ accuracy (points)"]
        columns += batchSizes.map { "latency batch \($0) (ms)" }
        columns += batchSizes.map { "latency ratio batch \($0)" }
        let rows = measurements.map { row -> [TableCell] in
            var cells: [TableCell] = [
                .text(row.name), .integer(row.bytes), .number(Double(row.bytes) / Double(max(reference.bytes, 1))),
                .integer(row.nonzeroWeights), .number(row.accuracy),
                .number(100 * (row.accuracy - reference.accuracy)),
            ]
            cells += row.latencies.map { .number($0) }
            cells += zip(row.latencies, reference.latencies).map { .number($1 > 0 ? $0 / $1 : .nan) }
            return cells
        }
        var table = Table(columns: columns, rows: rows, title: "Size, accuracy on \(testName) and latency")
        table.decimalPlaces = ["size ratio": 3, "accuracy": 4, "Δ accuracy (points)": 2]
        for size in batchSizes {
            table.decimalPlaces["latency batch \(size) (ms)"] = 4
            table.decimalPlaces["latency ratio batch \(size)"] = 2
        }
        table.highlight("size (bytes)", best: .lowest)
        table.highlight("accuracy", best: .highest)
        if let first = batchSizes.first { table.highlight("latency batch \(first) (ms)", best: .lowest) }
        return table
    }

    var typeName: String { Self.scriptTypeName }
    var description: String { table.plainText }
}

/// A model served over HTTP in this process (`serve`): the same `ModelServer` as `rigor serve`, on a loopback port,
/// with a small client for its routes. It runs until `stop()` or the end of the kernel.
final class ModelServiceObject: NativeObject, ArgumentType, ScriptValueConvertible, @unchecked Sendable {
    static var scriptTypeName: String { "ModelService" }
    let served: ServedModel
    let host: String
    let port: Int
    /// The checkpoint written for a model given as a value (removed by `stop()`); nil for a file the user named.
    let temporaryFile: String?
    private let running: ModelServer.Running

    /// Starts `served` on `configuration` and returns once the port is bound (or throws what stopped it).
    init(_ served: ServedModel, configuration: ServerConfiguration, temporaryFile: String?) throws {
        let server = try ModelServer(model: served, configuration: configuration)
        // ModelServer.start runs the server off Swift's cooperative pool, so blocking this thread (a pool thread
        // in a test) until the port is bound cannot starve it.
        do {
            running = try server.start(handlingSignals: false, timeout: 30)
        } catch let error as ServerStartError {
            throw BuiltinError(.io, error.message)
        } catch {
            throw BuiltinError(.io, "could not serve on \(configuration.host):\(configuration.port): \(error)")
        }
        self.port = running.port
        self.served = served
        self.host = configuration.host
        self.temporaryFile = temporaryFile
    }

    var url: String { "http://\(host):\(port)" }
    var isRunning: Bool { running.isRunning }

    /// Graceful shutdown: no new connections, requests in flight finish; waits up to 10 s.
    func stop() {
        running.stop(timeout: 10)
        if let temporaryFile { try? FileManager.default.removeItem(atPath: temporaryFile) }
    }

    /// One HTTP request to the service (`ModelServer.ServiceClient`), waiting for the answer: its status and body.
    func request(
        _ path: String, method: String = "GET", body: Data? = nil, contentType: String = "application/json"
    )
        throws -> (status: Int, body: Data)
    {
        guard isRunning else { throw BuiltinError(.value, "the service at \(url) is stopped") }
        let trimmed = "/" + (path.hasPrefix("/") ? String(path.dropFirst()) : path)
        guard !trimmed.contains(where: { $0 == " " || $0.isNewline }) else {
            throw BuiltinError(.value, "'\(path)' is not a path on the service", parameter: "path")
        }
        do {
            return try ServiceClient.request(
                host: host, port: port, method: method, path: trimmed, body: body, contentType: contentType)
        } catch {
            throw BuiltinError(.io, "\(method) \(url)\(trimmed) failed: \(error)")
        }
    }

    /// The `/metrics` samples whose names start with `prefix`, `name{labels}` → value (Prometheus text format).
    func metrics(prefix: String, buckets: Bool) throws -> [(String, Double)] {
        let (status, data) = try request("metrics")
        guard status == 200 else { throw BuiltinError(.io, "GET /metrics answered \(status)") }
        let text = String(decoding: data, as: UTF8.self)
        return text.split(separator: "\n").compactMap { line -> (String, Double)? in
            guard !line.hasPrefix("#"), line.hasPrefix(prefix) else { return nil }
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                return nil
            }
            let key = String(line[..<space])
            if !buckets, key.contains("_bucket{") || key.hasSuffix("_bucket") { return nil }
            return (key, value)
        }
    }

    var typeName: String { Self.scriptTypeName }
    var description: String {
        "ModelService \(url) (\(served.format), \(served.layers.count) layers, input "
            + TensorError.format(shape: served.inputShape) + ", \(served.classes.count) classes, "
            + "fingerprint \(served.fingerprint.prefix(12))) — " + (isRunning ? "running" : "stopped")
    }
}

extension Value {
    /// A JSON document (`JSONSerialization`'s objects) as a script value: objects become dictionaries with
    /// sorted keys; a number is an `Int` when the JSON wrote an integer, a `Double` otherwise.
    static func fromJSON(_ object: Any) -> Value {
        switch object {
        case let dictionary as [String: Any]:
            var result = OrderedDictionary<Value, Value>()
            for key in dictionary.keys.sorted() { result[.string(key)] = fromJSON(dictionary[key]!) }
            return .dictionary(result)
        case let array as [Any]: return .array(array.map(fromJSON))
        case let string as String: return .string(string)
        case let number as NSNumber:
            // Foundation gives booleans as NSNumbers too; their type encoding is "c", a JSON real's is "d".
            switch String(cString: number.objCType) {
            case "c": return .bool(number.boolValue)
            case "d", "f": return .double(number.doubleValue)
            default: return .int(number.intValue)
            }
        default: return .nil
        }
    }

    /// A dictionary value from keys and values in order.
    static func record(_ pairs: [(String, Value)]) -> Value {
        var result = OrderedDictionary<Value, Value>()
        for (key, value) in pairs { result[.string(key)] = value }
        return .dictionary(result)
    }
}
