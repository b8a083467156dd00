import NIOCore
import NIOHTTP1

/// Receives what an upstream connection reads, for whichever exchange is using it now.
protocol UpstreamResponseDelegate: AnyObject {
    func upstreamHead(_ head: HTTPResponseHead)
    func upstreamBody(_ part: ByteBuffer)
    func upstreamEnd()
    func upstreamReadComplete()
    func upstreamClosed(_ error: (any Error)?)
}

/// The last handler of a pooled upstream channel. A channel serves one exchange at a time;
/// between exchanges it has no delegate and sits in its loop's pool.
final class UpstreamClientHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    /// Strong, and cleared whenever the exchange lets go of the connection (end, release,
    /// drop, close): a weak reference would cost every exchange a side-table allocation.
    var delegate: (any UpstreamResponseDelegate)?
    var onClose: ((UpstreamClientHandler) -> Void)?
    /// Set when the peer asked to close after this response; the channel is then not reused.
    var keepAlive = true
    private var lastError: (any Error)?
    private var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    /// Writes one request from this handler's place in the pipeline: cheaper than
    /// `Channel.write`, which enters at the tail and checks the loop each time.
    func send(_ head: HTTPRequestHead, body: ByteBuffer) {
        guard let context else { return }
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if body.readableBytes > 0 { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            keepAlive = head.isKeepAlive
            delegate?.upstreamHead(head)
        case .body(let part):
            delegate?.upstreamBody(part)
        case .end:
            let d = delegate
            delegate = nil
            d?.upstreamEnd()
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        delegate?.upstreamReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        lastError = error
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        let d = delegate
        delegate = nil
        let closed = onClose
        onClose = nil
        closed?(self)
        d?.upstreamClosed(lastError)
        context.fireChannelInactive()
    }
}
