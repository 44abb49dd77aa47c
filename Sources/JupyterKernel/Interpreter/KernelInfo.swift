import RichDisplay

/// What `kernel_info_reply` says: the implementation, the language, a banner and help links.
public struct KernelInfo: Sendable {
    public var implementation: String
    public var implementationVersion: String
    public var language: LanguageInfo
    public var banner: String
    public var helpLinks: [(text: String, url: String)]

    public init(
        implementation: String, implementationVersion: String, language: LanguageInfo, banner: String,
        helpLinks: [(text: String, url: String)] = []
    ) {
        self.implementation = implementation
        self.implementationVersion = implementationVersion
        self.language = language
        self.banner = banner
        self.helpLinks = helpLinks
    }
}

/// `language_info`: drives the editor mode (`codemirrorMode`), export highlighting
/// (`pygmentsLexer`) and `nbconvert --to script` (`fileExtension`, `mimetype`).
public struct LanguageInfo: Sendable {
    public var name: String
    public var version: String
    public var mimetype: String
    public var fileExtension: String
    public var pygmentsLexer: String
    public var codemirrorMode: String
    public var nbconvertExporter: String

    public init(
        name: String, version: String, mimetype: String, fileExtension: String, pygmentsLexer: String,
        codemirrorMode: String, nbconvertExporter: String = "script"
    ) {
        self.name = name
        self.version = version
        self.mimetype = mimetype
        self.fileExtension = fileExtension
        self.pygmentsLexer = pygmentsLexer
        self.codemirrorMode = codemirrorMode
        self.nbconvertExporter = nbconvertExporter
    }

    var json: JSONValue {
        [
            "name": .string(name), "version": .string(version), "mimetype": .string(mimetype),
            "file_extension": .string(fileExtension), "pygments_lexer": .string(pygmentsLexer),
            "codemirror_mode": .string(codemirrorMode), "nbconvert_exporter": .string(nbconvertExporter),
        ]
    }
}
