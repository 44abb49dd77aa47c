import Foundation
import RichDisplay

/// A kernelspec: the `kernel.json` that tells Jupyter how to start a kernel, plus its files
/// (logos). Installed as a directory `kernels/<name>/` the way `python -m ipykernel install`
/// does.
public struct Kernelspec: Codable, Equatable, Sendable {
    /// The command line; `{connection_file}` is replaced by the connection file's path.
    public var argv: [String]
    public var displayName: String
    public var language: String
    /// `message`: interrupts arrive as `interrupt_request` on control (`signal` sends SIGINT).
    public var interruptMode: String
    public var env: [String: String]?
    /// `debugger`, and `supported_encryption: ["curve"]`, which lets jupyter_client 8.10 start the
    /// kernel with CurveZMQ keys (`KernelManager.transport_encryption`).
    public var metadata: [String: JSONValue]?
    /// The protocol version the kernel speaks ("5.5"), read by jupyter_client before it starts it.
    public var kernelProtocolVersion: String?

    enum CodingKeys: String, CodingKey {
        case argv, language, env, metadata
        case displayName = "display_name"
        case interruptMode = "interrupt_mode"
        case kernelProtocolVersion = "kernel_protocol_version"
    }

    public init(
        argv: [String], displayName: String, language: String, interruptMode: String = "message",
        env: [String: String]? = nil, metadata: [String: JSONValue]? = nil, kernelProtocolVersion: String? = nil
    ) {
        self.argv = argv
        self.displayName = displayName
        self.language = language
        self.interruptMode = interruptMode
        self.env = env
        self.metadata = metadata
        self.kernelProtocolVersion = kernelProtocolVersion
    }

    /// Reads a kernel.json.
    public init(json: Data) throws {
        self = try JSONDecoder().decode(Kernelspec.self, from: json)
    }

    /// The kernel.json text, pretty-printed with sorted keys.
    public var json: Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)) ?? Data()
    }

    /// Writes `kernel.json` and the extra files (name → contents) into
    /// `<kernelsDirectory>/<name>/`, replacing an earlier install; returns that directory.
    @discardableResult
    public func install(into kernelsDirectory: URL, name: String, files: [String: Data] = [:]) throws -> URL {
        guard Self.isValidName(name) else { throw KernelspecError.invalidName(name) }
        let directory = kernelsDirectory.appendingPathComponent(name.lowercased(), isDirectory: true)
        let manager = FileManager.default
        if manager.fileExists(atPath: directory.path) { try manager.removeItem(at: directory) }
        try manager.createDirectory(at: directory, withIntermediateDirectories: true)
        try json.write(to: directory.appendingPathComponent("kernel.json"))
        for (fileName, contents) in files {
            try contents.write(to: directory.appendingPathComponent(fileName))
        }
        return directory
    }

    /// Kernelspec names use ASCII letters, digits, `-`, `.` and `_` (Jupyter's rule).
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty
            && name.unicodeScalars.allSatisfy {
                $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-._".unicodeScalars.contains($0))
            }
    }

    /// Where kernelspecs go: `--user` (the Jupyter data dir), `--sys-prefix` (the active Python
    /// environment) or `--prefix P`, each `…/share/jupyter/kernels` but the user one.
    public enum Location: Equatable, Sendable {
        case user
        case prefix(String)

        /// The `kernels` directory of this location.
        public func kernelsDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
            switch self {
            case .prefix(let prefix):
                return URL(fileURLWithPath: prefix).appendingPathComponent("share/jupyter/kernels", isDirectory: true)
            case .user:
                if let dataDirectory = environment["JUPYTER_DATA_DIR"], !dataDirectory.isEmpty {
                    return URL(fileURLWithPath: dataDirectory).appendingPathComponent("kernels", isDirectory: true)
                }
                let home = environment["HOME"] ?? NSHomeDirectory()
                #if os(macOS)
                    return URL(fileURLWithPath: home).appendingPathComponent("Library/Jupyter/kernels")
                #else
                    let dataHome =
                        environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "\(home)/.local/share"
                    return URL(fileURLWithPath: dataHome).appendingPathComponent("jupyter/kernels", isDirectory: true)
                #endif
            }
        }
    }
}
