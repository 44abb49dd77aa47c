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
