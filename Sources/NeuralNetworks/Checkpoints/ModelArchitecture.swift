// ModelArchitecture: what a checkpoint records about the model that wrote it, versioned, with named arguments.
import Foundation

/// How to rebuild a model: its layers (each a kind and arguments by name), the seed its parameters were drawn
/// from, and the input shape it last saw. A checkpoint stores it as JSON in its `rigor.model` metadata.
///
/// Arguments are keyed by name, never by position, so a layer parameter added later (with a default) leaves older
/// files readable: a missing argument takes the parameter's default. `version` names the format that wrote the
/// file; a file from a newer format is refused with that reason rather than misread.
///
///     {"version":1,"seed":7,"inputShape":[4],
///      "layers":[{"kind":"Dense","arguments":{"inputSize":{"int":4},"outputSize":{"int":3},
///                                              "activation":{"member":"relu"}}}]}
public struct ModelArchitecture: Codable, Equatable, Sendable {
    /// The format this code writes and the newest it reads.
    public static let currentVersion = 1
    /// The metadata key of the JSON description.
    public static let metadataKey = "rigor.model"

    /// The format of this description (``currentVersion`` for one made here).
    public var version: Int
    public var layers: [LayerDescription]
    /// The seed the model's parameters were initialized from.
    public var seed: UInt64
    /// The shape of one example, when the model has seen one.
    public var inputShape: [Int]?

    public init(layers: [LayerDescription], seed: UInt64, inputShape: [Int]? = nil) {
        self.version = Self.currentVersion
        self.layers = layers
        self.seed = seed
        self.inputShape = inputShape
    }

    /// The description as compact JSON with sorted keys (the same model always gives the same text).
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain structs, strings and numbers cannot fail.
        return String(decoding: try! encoder.encode(self), as: UTF8.self)
    }

    /// The metadata a checkpoint stores for this description.
    public var metadata: [String: String] { [Self.metadataKey: json] }

    /// The description in checkpoint `metadata`: the JSON of ``metadataKey`` or, for files written before it, the
    /// tab-separated `rigor.architecture` lines (see ``init(legacyMetadata:)``). `nil` when the file has neither
    /// (a checkpoint saved outside Rigor, or by `ModelCheckpoint`).
    public init?(metadata: [String: String]) throws {
        if let json = metadata[Self.metadataKey] {
            try self.init(json: json)
        } else if metadata[Self.legacyMetadataKey] != nil {
            try self.init(legacyMetadata: metadata)
        } else {
            return nil
        }
    }

    /// Decodes the JSON of ``json``; a version newer than ``currentVersion`` is an error that says so.
    public init(json: String) throws {
        struct Versioned: Decodable { var version: Int }
        let data = Data(json.utf8)
        let decoder = JSONDecoder()
        guard let version = try? decoder.decode(Versioned.self, from: data).version else {
            throw NeuralNetworkError("loadCheckpoint", "the model description has no format version")
        }
        guard version <= Self.currentVersion else {
            throw NeuralNetworkError(
                "loadCheckpoint",
                "the model description is format \(version), newer than this Rigor reads (\(Self.currentVersion))")
        }
        do {
            self = try decoder.decode(Self.self, from: data)
        } catch {
            throw NeuralNetworkError("loadCheckpoint", "the model description is malformed: \(Self.explain(error))")
        }
    }

    static func explain(_ error: any Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, let context):
            return "'\(key.stringValue)' is missing at \(path(context.codingPath))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(context.debugDescription) at \(path(context.codingPath))"
        default:
            return String(describing: error)
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        keys.isEmpty ? "the top" : keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }
}

/// One layer of a ``ModelArchitecture``: its kind (`Dense`, `Conv2D`, …) and its initializer's arguments by
/// parameter name.
public struct LayerDescription: Codable, Equatable, Sendable {
    public var kind: String
    public var arguments: [String: LayerArgument]

    public init(kind: String, arguments: [String: LayerArgument] = [:]) {
        self.kind = kind
        self.arguments = arguments
    }
}

/// An argument value in a ``LayerDescription``, tagged in JSON so that `2` and `2.0` stay apart:
/// `{"int": 2}`, `{"double": 0.25}`, `{"bool": true}`, `{"member": "relu"}` (an implicit member such as `.relu`),
/// or `null` (an argument given as `nil`).
public enum LayerArgument: Codable, Equatable, Sendable {
    case int(Int)
    case double(Double)
    case bool(Bool)
    case member(String)
    case none

    enum Tag: String, CodingKey {
        case int, double, bool, member
    }

    public init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer(), single.decodeNil() {
            self = .none
            return
        }
        let container = try decoder.container(keyedBy: Tag.self)
        guard let tag = container.allKeys.first, container.allKeys.count == 1 else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: container.codingPath,
                    debugDescription: "an argument is one of {\"int\": …}, {\"double\": …}, {\"bool\": …}, "
                        + "{\"member\": …} or null"))
        }
        switch tag {
        case .int: self = .int(try container.decode(Int.self, forKey: tag))
        case .double: self = .double(try container.decode(Double.self, forKey: tag))
        case .bool: self = .bool(try container.decode(Bool.self, forKey: tag))
        case .member: self = .member(try container.decode(String.self, forKey: tag))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        if case .none = self {
            var single = encoder.singleValueContainer()
            try single.encodeNil()
            return
        }
        var container = encoder.container(keyedBy: Tag.self)
        switch self {
        case .int(let value): try container.encode(value, forKey: .int)
        case .double(let value): try container.encode(value, forKey: .double)
        case .bool(let value): try container.encode(value, forKey: .bool)
        case .member(let name): try container.encode(name, forKey: .member)
        case .none: break
        }
    }
}
