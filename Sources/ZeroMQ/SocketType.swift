import CZeroMQ

/// The socket patterns Jupyter uses (and their peers, for clients and tests).
public enum SocketType: Sendable, CaseIterable {
    case router, dealer, publisher, subscriber, reply, request, pair
    /// A publisher that also receives its subscribers' (un)subscriptions.
    case extendedPublisher

    var rawValue: Int32 {
        switch self {
        case .router: ZMQ_ROUTER
        case .dealer: ZMQ_DEALER
        case .publisher: ZMQ_PUB
        case .subscriber: ZMQ_SUB
        case .reply: ZMQ_REP
        case .request: ZMQ_REQ
        case .pair: ZMQ_PAIR
        case .extendedPublisher: ZMQ_XPUB
        }
    }
}
