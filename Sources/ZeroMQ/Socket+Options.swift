import CZeroMQ

extension Socket {
    /// Milliseconds a closed socket keeps trying to deliver pending messages (-1: forever).
    public func setLinger(milliseconds: Int32) throws {
        try setOption(ZMQ_LINGER, milliseconds, name: "ZMQ_LINGER")
    }

    /// The send high-water mark in messages (0: unlimited).
    public func setSendHighWaterMark(_ messages: Int32) throws {
        try setOption(ZMQ_SNDHWM, messages, name: "ZMQ_SNDHWM")
    }

    /// The receive high-water mark in messages (0: unlimited).
    public func setReceiveHighWaterMark(_ messages: Int32) throws {
        try setOption(ZMQ_RCVHWM, messages, name: "ZMQ_RCVHWM")
    }

    /// Sets the identity a DEALER or REQ socket presents to a ROUTER.
    public func setRoutingID(_ identity: [UInt8]) throws {
        let result = identity.withUnsafeBytes { bytes in
            zmq_setsockopt(rawHandle, ZMQ_ROUTING_ID, bytes.baseAddress, bytes.count)
        }
        guard result == 0 else { throw ZeroMQError.last("setsockopt ZMQ_ROUTING_ID") }
    }

    /// Subscribes a SUB socket to messages whose first frame starts with `prefix` ("" for all).
    public func subscribe(to prefix: String = "") throws {
        let bytes = Array(prefix.utf8)
        let result = bytes.withUnsafeBytes { zmq_setsockopt(rawHandle, ZMQ_SUBSCRIBE, $0.baseAddress, $0.count) }
        guard result == 0 else { throw ZeroMQError.last("setsockopt ZMQ_SUBSCRIBE") }
    }

    private func setOption(_ option: Int32, _ value: Int32, name: String) throws {
        var value = value
        guard zmq_setsockopt(rawHandle, option, &value, MemoryLayout<Int32>.size) == 0 else {
            throw ZeroMQError.last("setsockopt \(name)")
        }
    }
}

extension Socket {
    /// Makes an XPUB socket pass every subscription up, duplicates included (`ZMQ_XPUB_VERBOSE`),
    /// so each new subscriber can be greeted.
    public func setVerboseSubscriptions(_ verbose: Bool) throws {
        try setIntOption(ZMQ_XPUB_VERBOSE, verbose ? 1 : 0, name: "ZMQ_XPUB_VERBOSE")
    }

    /// Makes the socket a CurveZMQ server with `secretKey` (40 Z85 characters): every peer must
    /// complete the Curve handshake, and every message is encrypted. Set before `bind`.
    public func makeCurveServer(secretKey: String) throws {
        guard Socket.hasCurve else {
            throw ZeroMQError(code: EPROTONOSUPPORT, operation: "CurveZMQ (libzmq without libsodium)")
        }
        try setIntOption(ZMQ_CURVE_SERVER, 1, name: "ZMQ_CURVE_SERVER")
        try setStringOption(ZMQ_CURVE_SECRETKEY, secretKey, name: "ZMQ_CURVE_SECRETKEY")
    }

    /// Makes the socket a CurveZMQ client of the server whose public key is `serverKey`, with its own
    /// key pair (each 40 Z85 characters). Set before `connect`.
    public func makeCurveClient(serverKey: String, publicKey: String, secretKey: String) throws {
        try setStringOption(ZMQ_CURVE_SERVERKEY, serverKey, name: "ZMQ_CURVE_SERVERKEY")
        try setStringOption(ZMQ_CURVE_PUBLICKEY, publicKey, name: "ZMQ_CURVE_PUBLICKEY")
        try setStringOption(ZMQ_CURVE_SECRETKEY, secretKey, name: "ZMQ_CURVE_SECRETKEY")
    }

    /// Whether this libzmq was built with CurveZMQ (`zmq_has("curve")`, libsodium).
    public static var hasCurve: Bool { zmq_has("curve") != 0 }

    /// A fresh Curve key pair, Z85-encoded (40 characters each).
    public static func curveKeyPair() throws -> (publicKey: String, secretKey: String) {
        var publicKey = [CChar](repeating: 0, count: 41)
        var secretKey = [CChar](repeating: 0, count: 41)
        guard zmq_curve_keypair(&publicKey, &secretKey) == 0 else { throw ZeroMQError.last("zmq_curve_keypair") }
        func string(_ characters: [CChar]) -> String {
            String(decoding: characters.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return (string(publicKey), string(secretKey))
    }

    fileprivate func setIntOption(_ option: Int32, _ value: Int32, name: String) throws {
        var value = value
        guard zmq_setsockopt(rawHandle, option, &value, MemoryLayout<Int32>.size) == 0 else {
            throw ZeroMQError.last("setsockopt \(name)")
        }
    }

    fileprivate func setStringOption(_ option: Int32, _ value: String, name: String) throws {
        let bytes = Array(value.utf8)
        // A Z85 key is passed as its 40 characters plus the terminating NUL.
        let terminated = bytes + [0]
        let result = terminated.withUnsafeBytes { zmq_setsockopt(rawHandle, option, $0.baseAddress, $0.count) }
        guard result == 0 else { throw ZeroMQError.last("setsockopt \(name)") }
    }
}
