import RichDisplay

/// One widget model as the JavaScript side knows it: its model and view names and modules, and every synced
/// trait with its kind, default and whether it may be null. The schemas Rigor offers are generated from
/// ipywidgets' declarations (`WidgetSchema+Generated.swift`), so the state Rigor sends is the state ipywidgets
/// sends, key for key.
public final class WidgetSchema: Sendable {
    /// The Python class name (`IntSlider`): what the widget's text form starts with.
    public let name: String
    public let modelName: String
    public let modelModule: String
    public let modelModuleVersion: String
    public let viewName: String?
    public let viewModule: String
    public let viewModuleVersion: String
    /// The synced traits, by name (the six `_model_*` / `_view_*` keys are not traits: they are fixed).
    public let traits: [String: Trait]
    /// Trait names in sorted order (the order states are written in).
    public let traitNames: [String]

    public init(
        name: String, modelName: String, modelModule: String, modelModuleVersion: String, viewName: String?,
        viewModule: String, viewModuleVersion: String, traits: [Trait]
    ) {
        self.name = name
        self.modelName = modelName
        self.modelModule = modelModule
        self.modelModuleVersion = modelModuleVersion
        self.viewName = viewName
        self.viewModule = viewModule
        self.viewModuleVersion = viewModuleVersion
        self.traits = Dictionary(uniqueKeysWithValues: traits.map { ($0.name, $0) })
        self.traitNames = traits.map(\.name).sorted()
    }

    /// The six keys that name the model and view; a front end cannot change them.
    public var fixedState: [String: JSONValue] {
        [
            "_model_name": .string(modelName), "_model_module": .string(modelModule),
            "_model_module_version": .string(modelModuleVersion),
            "_view_name": viewName.map(JSONValue.string) ?? .null,
            "_view_module": .string(viewModule), "_view_module_version": .string(viewModuleVersion),
        ]
    }

    /// The schema whose `modelName` this is (for a widget the front end opens).
    public static func named(model modelName: String) -> WidgetSchema? {
        all.first { $0.modelName == modelName }
    }
}

/// A synced trait of a widget model.
public struct Trait: Sendable {
    /// What values a trait holds; a value from the front end or from code is checked against it as traitlets checks.
    public enum Kind: Sendable {
        case bool
        /// An integer; a float with an integral value is taken (JavaScript has one number type).
        case int
        /// A float; an integer is taken and becomes a float (`CFloat`).
        case float
        case string
        /// A CSS colour (ipywidgets' `Color`); any string is taken.
        case color
        /// A d3-format string (ipywidgets' `NumberFormat`); any string is taken.
        case numberFormat
        /// One of these strings, compared without case (`CaselessStrEnum`); the canonical spelling is kept.
        case enumeration([String])
        case stringList
        /// A list of JSON objects (the Output widget's `outputs`).
        case objectList
        /// Another widget, written `IPY_MODEL_<id>`; made with the widget when it is not given.
        case reference(WidgetSchema)
        /// A list of widgets (a box's `children`).
        case referenceList
    }

    public let name: String
    public let kind: Kind
    public let nullable: Bool
    public let defaultValue: JSONValue
    /// Whether a change from the front end is echoed back (`echo_update`), as the trait's `echo_update` tag says.
    public let echoes: Bool

    public init(_ name: String, _ kind: Kind, nullable: Bool, default defaultValue: JSONValue, echoes: Bool = true) {
        self.name = name
        self.kind = kind
        self.nullable = nullable
        self.defaultValue = defaultValue
        self.echoes = echoes
    }

    /// The value this trait stores for `value`, or an error that says why it cannot hold it (the message
    /// follows traitlets': `The 'value' trait of an IntSlider instance expected an int, not the str 'six'.`).
    public func validate(_ value: JSONValue, in schema: WidgetSchema) throws(WidgetError) -> JSONValue {
        if value.isNull {
            if nullable { return .null }
            throw mismatch(value, schema: schema)
        }
        switch kind {
        case .bool:
            if case .bool = value { return value }
        case .int:
            if let number = value.intValue { return .int(number) }
        case .float:
            if let number = value.doubleValue, number.isFinite { return .double(number) }
        case .string, .color, .numberFormat:
            if case .string = value { return value }
        case .enumeration(let values):
            if let text = value.stringValue {
                if let match = values.first(where: { $0.lowercased() == text.lowercased() }) { return .string(match) }
                throw WidgetError(
                    "The '\(name)' trait of \(article(schema.name)) \(schema.name) instance expected any of "
                        + "[\(values.map { "'\($0)'" }.joined(separator: ", "))] (case-insensitive), not \(value.pythonRepr)."
                )
            }
        case .stringList:
            if let elements = value.arrayValue, elements.allSatisfy({ $0.stringValue != nil }) { return value }
        case .objectList:
            if let elements = value.arrayValue, elements.allSatisfy({ $0.objectValue != nil }) { return value }
        case .reference:
            if let text = value.stringValue, text.hasPrefix(WidgetProtocol.referencePrefix) { return value }
        case .referenceList:
            if let elements = value.arrayValue,
                elements.allSatisfy({ $0.stringValue?.hasPrefix(WidgetProtocol.referencePrefix) == true })
            {
                return value
            }
        }
        throw mismatch(value, schema: schema)
    }

    private var expected: String {
        switch kind {
        case .bool: "a boolean"
        case .int: "an int"
        case .float: "a float"
        case .string, .color, .numberFormat, .enumeration: "a unicode string"
        case .stringList: "a tuple of unicode strings"
        case .objectList: "a tuple of dicts"
        case .reference(let schema): "a \(schema.name)"
        case .referenceList: "a tuple of widgets"
        }
    }

    private func mismatch(_ value: JSONValue, schema: WidgetSchema) -> WidgetError {
        let kindName: String =
            switch value {
            case .null: "NoneType"
            case .bool: "bool"
            case .int: "int"
            case .double: "float"
            case .string: "str"
            case .array: "list"
            case .object: "dict"
            }
        return WidgetError(
            "The '\(name)' trait of \(article(schema.name)) \(schema.name) instance expected \(expected), "
                + "not the \(kindName) \(value.pythonRepr).")
    }

    private func article(_ word: String) -> String {
        "AEIOU".contains(word.first ?? "x") ? "an" : "a"
    }
}

/// Why a value cannot be set on a widget (a `TraitError` in ipywidgets).
public struct WidgetError: Error, CustomStringConvertible, Sendable, Equatable {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
