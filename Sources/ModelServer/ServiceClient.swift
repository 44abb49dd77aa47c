// ServiceClient: one HTTP/1.1 request to a model service, waiting for the answer — what the `serve` builtin's
// object uses to call the server it started. SwiftNIO's HTTP codec over a client bootstrap on NIO's singleton
// event loops (which the server already runs on): no URLSession, so `rigor` does not link FoundationNetworking and
// libcurl, whose 25 shared libraries the dynamic loader bound on every start (docs/performance.md, start-up).
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A failed request: the connection could not be made or broke, or no answer came in time.
public struct ServiceClientError: Error, CustomStringConvertible, Sendable {
    public let description: String
}

public enum ServiceClient {
    /// Sends `method path` (with `body`, as `contentType`) to `host:port` on a new connection and waits up to
    /// `timeout` seconds for the whole answer: its status code and body. Call it from a thread that may block
    /// (a notebook cell), never from an event loop.
    public static func request(
        host: String, port: Int, method: String, path: String, body: Data? = nil,
        contentType: String = "application/json", timeout: TimeInterval = 30
    ) throws -> (status: Int, body: Data) {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let answer = loop.makePromise(of: (Int, Data).self)
        var head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: method), uri: path)
        head.headers.add(name: "Host", value: "\(host):\(port)")
        head.headers.add(name: "Connection", value: "close")
        head.headers.add(name: "Content-Length", value: "\(body?.count ?? 0)")
        if body != nil { head.headers.add(name: "Content-Type", value: contentType) }
        let request = head
        let payload = body.map { ByteBuffer(bytes: $0) }
        let connected = ClientBootstrap(group: loop)
            .connectTimeout(.milliseconds(Int64(min(timeout, 10) * 1000)))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(
                        AnswerHandler(request: request, body: payload, answer: answer))
                }
            }
            .connect(host: host, port: port)
        connected.whenFailure { answer.fail(ServiceClientError(description: "cannot connect: \($0)")) }
        let deadline = loop.scheduleTask(in: .milliseconds(Int64(timeout * 1000))) {
            answer.fail(ServiceClientError(description: "no answer within \(Int(timeout)) s"))
            connected.whenSuccess { $0.close(promise: nil) }
        }
        defer { deadline.cancel() }
        let (status, data) = try answer.futureResult.wait()
        return (status, data)
    }
}

/// Writes the request once connected and collects the answer; any failure or an early close fails it.
private final class AnswerHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let request: HTTPRequestHead
    private let body: ByteBuffer?
    private let answer: EventLoopPromise<(Int, Data)>
    private var status = 0
    private var received = ByteBuffer()

    init(request: HTTPRequestHead, body: ByteBuffer?, answer: EventLoopPromise<(Int, Data)>) {
        self.request = request
        self.body = body
        self.answer = answer
    }

    func channelActive(context: ChannelHandlerContext) {
        context.write(wrapOutboundOut(.head(request)), promise: nil)
        if let body { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = Int(head.status.code)
        case .body(var part):
            received.writeBuffer(&part)
        case .end:
            answer.succeed((status, Data(received.readableBytesView)))
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        answer.fail(ServiceClientError(description: "\(error)"))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        answer.fail(ServiceClientError(description: "the connection closed before the answer ended"))
        context.fireChannelInactive()
    }
}
