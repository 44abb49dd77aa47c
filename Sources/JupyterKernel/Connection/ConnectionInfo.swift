import Foundation

/// The connection file a Jupyter client writes for a kernel: where to bind and how to sign.
public struct ConnectionInfo: Codable, Equatable, Sendable {
    public var transport: String
    public var ip: String
    public var shellPort: Int
    public var iopubPort: Int
    public var stdinPort: Int
    public var controlPort: Int
    public var heartbeatPort: Int
    public var signatureScheme: String
    public var key: String
    public var kernelName: String?
    /// CurveZMQ transport encryption (jupyter_client 8.10, `transport_encryption`): the kernel's
    /// key pair, Z85-encoded. With both set, every socket is a Curve server.
    public var curvePublicKey: String?
    public var curveSecretKey: String?

    /// Whether the connection file asks for CurveZMQ encryption.
    public var usesCurve: Bool { curveSecretKey?.isEmpty == false && curvePublicKey?.isEmpty == false }

    enum CodingKeys: String, CodingKey {
        case transport, ip, key
        case shellPort = "shell_port"
        case iopubPort = "iopub_port"
        case stdinPort = "stdin_port"
        case controlPort = "control_port"
        case heartbeatPort = "hb_port"
        case signatureScheme = "signature_scheme"
        case kernelName = "kernel_name"
        case curvePublicKey = "curve_publickey"
        case curveSecretKey = "curve_secretkey"
    }

    public init(
        transport: String = "tcp", ip: String = "127.0.0.1", shellPort: Int = 0, iopubPort: Int = 0,
        stdinPort: Int = 0, controlPort: Int = 0, heartbeatPort: Int = 0,
        signatureScheme: String = "hmac-sha256", key: String = "", kernelName: String? = nil,
        curvePublicKey: String? = nil, curveSecretKey: String? = nil
    ) {
        self.transport = transport
        self.ip = ip
        self.shellPort = shellPort
        self.iopubPort = iopubPort
        self.stdinPort = stdinPort
        self.controlPort = controlPort
        self.heartbeatPort = heartbeatPort
        self.signatureScheme = signatureScheme
        self.key = key
        self.kernelName = kernelName
        self.curvePublicKey = curvePublicKey
        self.curveSecretKey = curveSecretKey
    }

    /// Reads a connection file.
    public init(contentsOf url: URL) throws {
        self = try JSONDecoder().decode(ConnectionInfo.self, from: Data(contentsOf: url))
    }

    /// The port of one channel.
    public func port(of channel: Channel) -> Int {
        switch channel {
        case .shell: shellPort
        case .iopub: iopubPort
        case .stdin: stdinPort
        case .control: controlPort
        case .heartbeat: heartbeatPort
        }
    }

    /// The ZeroMQ endpoint of one channel (`*` for port 0: any free port).
    public func endpoint(of channel: Channel) -> String {
        let port = port(of: channel)
        if transport == "ipc" { return "ipc://\(ip)-\(port)" }
        return "\(transport)://\(ip):\(port == 0 ? "*" : String(port))"
    }
}

/// The five Jupyter channels.
public enum Channel: String, Sendable, CaseIterable {
    case shell, control, stdin, iopub, heartbeat
}
