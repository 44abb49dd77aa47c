import Foundation
import Testing
import ZeroMQ

@Suite("ZeroMQ wrapper: CurveZMQ servers, XPUB subscriptions, polling a pipe")
struct CurveAndXPubTests {
    @Test("libzmq has CurveZMQ; a Curve server talks to a client that knows its key, not to others")
    func curve() throws {
        #expect(Socket.hasCurve)
        let server = try Socket.curveKeyPair()
        #expect(server.publicKey.count == 40 && server.secretKey.count == 40)
        let context = try Context()
        let router = try Socket(context: context, type: .router)
        try router.makeCurveServer(secretKey: server.secretKey)
        try router.bind("tcp://127.0.0.1:*")
        let endpoint = try router.lastEndpoint

        let client = try Socket.curveKeyPair()
        let trusted = try Socket(context: context, type: .dealer)
        try trusted.makeCurveClient(
            serverKey: server.publicKey, publicKey: client.publicKey, secretKey: client.secretKey)
        try trusted.setLinger(milliseconds: 0)
        try trusted.connect(endpoint)
        let plain = try Socket(context: context, type: .dealer)
        try plain.setLinger(milliseconds: 0)
        try plain.connect(endpoint)
        let other = try Socket.curveKeyPair()
        let wrongKey = try Socket(context: context, type: .dealer)
        try wrongKey.makeCurveClient(
            serverKey: other.publicKey, publicKey: client.publicKey, secretKey: client.secretKey)
        try wrongKey.setLinger(milliseconds: 0)
        try wrongKey.connect(endpoint)

        try plain.send([Data("plain".utf8)])
        try wrongKey.send([Data("wrong".utf8)])
        try trusted.send([Data("secret".utf8)])
        #expect(try router.waitForInput(timeout: .seconds(5)))
        let received = try #require(try router.receiveMultipart())
        #expect(received.last == Data("secret".utf8))
        #expect(try router.waitForInput(timeout: .milliseconds(300)) == false, "a client without the key got through")
        for socket in [router, trusted, plain, wrongKey] { socket.close() }
    }

    @Test("an XPUB socket hears each subscription (verbose: duplicates too) as 0x01 + topic")
    func xpub() throws {
        let context = try Context()
        let publisher = try Socket(context: context, type: .extendedPublisher)
        try publisher.setVerboseSubscriptions(true)
        try publisher.bind("tcp://127.0.0.1:*")
        let endpoint = try publisher.lastEndpoint
        var subscribers: [Socket] = []
        for _ in 0..<2 {
            let subscriber = try Socket(context: context, type: .subscriber)
            try subscriber.subscribe(to: "")
            try subscriber.connect(endpoint)
            subscribers.append(subscriber)
        }
        var frames: [Data] = []
        while frames.count < 2, try publisher.waitForInput(timeout: .seconds(5)) {
            frames += try publisher.receiveMultipart() ?? []
        }
        #expect(frames == [Data([1]), Data([1])])
        for socket in subscribers + [publisher] { socket.close() }
    }

    @Test("poll wakes for a file descriptor beside the sockets")
    func pollPipe() throws {
        let context = try Context()
        let socket = try Socket(context: context, type: .router)
        try socket.bind("tcp://127.0.0.1:*")
        var descriptors: [Int32] = [0, 0]
        #expect(pipe(&descriptors) == 0)
        defer { for descriptor in descriptors { close(descriptor) } }
        var idle = try poll([socket], fileDescriptors: [descriptors[0]], timeout: .milliseconds(10))
        #expect(idle.sockets == [false] && idle.fileDescriptors == [false])
        var byte: UInt8 = 1
        #expect(write(descriptors[1], &byte, 1) == 1)
        idle = try poll([socket], fileDescriptors: [descriptors[0]], timeout: .seconds(5))
        #expect(idle.sockets == [false] && idle.fileDescriptors == [true])
        socket.close()
    }
}
