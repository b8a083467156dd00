import NIOCore
import NIOHTTP1
import TollgateProtocols

/// Where an exchange sends what the client should get: the request's Dispatcher, which runs
/// the response phases on it.
protocol ClientResponder: AnyObject {
    /// Headers are `consuming` here and in `sendWhole`: the responder adds its own to them, and
    /// a block the caller still held would be copied on that first change.
    func sendHead(_ status: HTTPResponseStatus, _ headers: consuming HTTPHeaders)
    func sendBody(_ part: ByteBuffer)
    func flush()
    /// Ends a streamed response; the request is then complete.
    func sendEnd()
    /// A complete response with its length; the request is then complete.
    func sendWhole(_ status: HTTPResponseStatus, _ headers: consuming HTTPHeaders, _ body: ByteBuffer)
    func sendError(_ error: GatewayError)
    /// Ends a streamed response that broke off: `last` goes out, then the connection is cut
    /// without the answer's proper end, so the client cannot take it for a whole one.
    func abort(last: ByteBuffer?)
}
