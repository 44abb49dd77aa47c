import Foundation
import Testing
import ZeroMQ

@Suite("ZeroMQ wrapper: sockets, multipart messages, poll, errors")
struct SocketTests {
    @Test("a DEALER talks to a ROUTER over tcp; the ROUTER sees the identity and routes the answer back")
    func routerDealer() throws {
        let context = try Context()
        let router = try Socket(context: context, type: .router)
        try router.bind("tcp://127.0.0.1:*")
        let endpoint = try router.lastEndpoint
        #expect(endpoint.hasPrefix("tcp://127.0.0.1:"))
        let dealer = try Socket(context: context, type: .dealer)
        try dealer.setRoutingID(Array("me".utf8))
        try dealer.connect(endpoint)
        try dealer.send([Data("hello".utf8), Data(), Data([0, 255])])
        #expect(try router.waitForInput(timeout: .seconds(5)))
        let received = try #require(try router.receiveMultipart())
        #expect(received == [Data("me".utf8), Data("hello".utf8), Data(), Data([0, 255])])
        try router.send([Data("me".utf8), Data("back".utf8)])
        #expect(try dealer.waitForInput(timeout: .seconds(5)))
        #expect(try dealer.receiveMultipart() == [Data("back".utf8)])
        router.close()
        dealer.close()
    }

    @Test("a non-blocking receive with nothing waiting returns nil; poll times out")
    func nothingWaiting() throws {
        let context = try Context()
        let socket = try Socket(context: context, type: .reply)
        try socket.bind("tcp://127.0.0.1:*")
        #expect(try socket.receiveMultipart(dontWait: true) == nil)
        let start = ContinuousClock.now
        #expect(try socket.waitForInput(timeout: .milliseconds(20)) == false)
        #expect(ContinuousClock.now - start >= .milliseconds(15))
    }

    @Test("PUB/SUB delivers multipart messages to a subscriber; REQ/REP echoes")
    func publishSubscribe() throws {
        let context = try Context()
        let publisher = try Socket(context: context, type: .publisher)
        try publisher.bind("tcp://127.0.0.1:*")
        let subscriber = try Socket(context: context, type: .subscriber)
        try subscriber.subscribe()
        try subscriber.connect(try publisher.lastEndpoint)
        // A subscription takes a moment to reach the publisher (the slow-joiner problem).
        var received: [Data]?
        for _ in 0..<100 where received == nil {
            try publisher.send([Data("topic".utf8), Data("body".utf8)])
            if try subscriber.waitForInput(timeout: .milliseconds(20)) { received = try subscriber.receiveMultipart() }
        }
        #expect(received == [Data("topic".utf8), Data("body".utf8)])

        let reply = try Socket(context: context, type: .reply)
        try reply.bind("tcp://127.0.0.1:*")
        let request = try Socket(context: context, type: .request)
        try request.connect(try reply.lastEndpoint)
        try request.send([Data("ping".utf8)])
        let ping = try #require(try reply.receiveMultipart())
        try reply.send(ping)
        #expect(try request.receiveMultipart() == [Data("ping".utf8)])
    }

    @Test("errors carry errno and a readable description")
    func errors() throws {
        let context = try Context()
        let socket = try Socket(context: context, type: .router)
        let error = #expect(throws: ZeroMQError.self) { try socket.bind("nonsense://x") }
        #expect(error?.description.contains("bind nonsense://x") == true)
        #expect(Context.version.major >= 4)
    }
}
