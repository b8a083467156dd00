import NIOCore
import NIOHTTP1
import TollgateJSON
import TollgateProtocols

/// Everything one request carries through its phases. It lives on the event loop that accepted
/// the request and is only touched there, so it is a plain class: phases share it by
/// reference, and no field needs a lock.
public final class RequestContext {
    public let requestID: String
    public let head: HTTPRequestHead
    /// The path without the query string.
    public let path: Substring
    public let query: Substring?
    public private(set) var body: ByteBuffer
    public let route: Route
    public let eventLoop: any EventLoop
    /// Monotonic start time, for latencies.
    public let start: NIODeadline
    /// The config snapshot this request started with; a reload mid-request does not change it.
    public let runtime: GatewayRuntime

    /// Headers the client sent that may be forwarded upstream; filled by header-allowlist.
    /// Nothing from the client is forwarded unless a plugin puts it here.
    public var forwardHeaders = HTTPHeaders()
    /// Headers added to the client's response.
    public var responseHeaders = HTTPHeaders()

    // Facts plugins record for the ones after them (governance, telemetry, async).
    public var virtualKeyName: String?
    public var target: ResolvedTarget?
    /// The model group the client named (docs/routing.md), and which of its targets this
    /// request has tried (bit i: target i).
    public var modelGroup: ModelGroup?
    public var groupTried: UInt64 = 0
    /// The cache plugin's verdict for the request log: `hit` or `miss`.
    public var cacheResult: String?
    public var isStream = false
    public var usage = Usage()
    public var costUSD: Double?
    public var status: Int = 0
    public var error: GatewayError?
    public var upstreamStart: NIODeadline?
    public var firstByte: NIODeadline?
    public var end: NIODeadline?
    public var clientDisconnected = false
    /// The upstream's last byte arrived (for the gateway's own overhead: total minus upstream).
    public var upstreamEnd: NIODeadline?
    /// Made by the gateway itself (an async job being run), not by a client connection.
    public var isInternal = false
    /// Each plugin's own per-request state, in its typed slot (`ctx[slot: MySlot.self]`).
    /// A short list, searched linearly: a route has a handful of plugins.
    private var slots: [(ObjectIdentifier, any Sendable)] = []

    private var parsed: JSON?
    private var parseError: GatewayError?
    private var skimmed: JSONSkim?

    public init(
        requestID: String, head: HTTPRequestHead, body: ByteBuffer, route: Route,
        eventLoop: any EventLoop, runtime: GatewayRuntime, start: NIODeadline = .now()
    ) {
        self.requestID = requestID
        self.head = head
        (path, query) = RequestURI.split(head.uri)
        self.body = body
        self.route = route
        self.eventLoop = eventLoop
        self.runtime = runtime
        self.start = start
    }

    /// The request body as JSON, parsed on first use and kept: every plugin shares one parse.
    public func json() throws(GatewayError) -> JSON {
        if let parsed { return parsed }
        if let parseError { throw parseError }
        do {
            let v = try body.withUnsafeReadableBytes { buf throws(JSONParseError) in try JSON.parse(buf) }
            guard case .object = v else {
                let e = GatewayError.badRequest("request body must be a JSON object")
                parseError = e
                throw e
            }
            parsed = v
            return v
        } catch {
            let e = GatewayError.badRequest("invalid JSON in request body: \(error)")
            parseError = e
            throw e
        }
    }

    /// The body's top-level keys and where their values are, found without parsing the values:
    /// what passthrough routes need (model, stream) at a fraction of a full parse.
    public func skim() throws(GatewayError) -> JSONSkim {
        if let skimmed { return skimmed }
        do {
            let s = try body.withUnsafeReadableBytes { buf throws(JSONParseError) in try JSONSkim(buf) }
            skimmed = s
            return s
        } catch {
            throw GatewayError.badRequest("invalid JSON in request body: \(error)")
        }
    }

    /// One top-level field of the body: from the full parse when there is one, else from the skim.
    public func topLevel(_ key: String) throws(GatewayError) -> JSON? {
        if let parsed { return parsed[key] }
        let s = try skim()
        return body.withUnsafeReadableBytes { s.value(key, in: $0) }
    }

    /// Replaces the parsed body (a rewrite plugin changed it); the bytes are rebuilt when sent.
    public func setJSON(_ value: JSON) {
        parsed = value
        bodyIsStale = true
    }

    /// Whether `json()` differs from `body` and must be serialized before sending.
    public private(set) var bodyIsStale = false

    /// Resolves and remembers the provider and model through the route's upstream plugin.
    public func resolveTarget() throws(GatewayError) -> ResolvedTarget {
        if let target { return target }
        guard let resolver = route.targetResolver else {
            throw GatewayError(status: 500, kind: .apiError, message: "route \(route.id) has no ai-proxy plugin")
        }
        let t = try resolver.resolve(self)
        target = t
        return t
    }

    public func header(_ name: String) -> String? { head.headers.first(name: name) }

    /// The protocol this request speaks: the route's, or its path's when the route serves
    /// several (a prefix route without `surface:`). Errors are answered in its shape.
    public var inboundProtocol: WireProtocol { route.fixedProtocol ?? Route.guessProtocol(path) }

    public var elapsedMicros: Int64 { (NIODeadline.now() - start).nanoseconds / 1000 }
}

/// A plugin's slot in the request context: the type names the slot and fixes what it holds,
/// so no other plugin can read or overwrite it by a shared string key, and no call site casts.
///
///     enum Admitted: ContextSlot { typealias Value = Bool }
///     ctx[slot: Admitted.self] = true
public protocol ContextSlot {
    associatedtype Value: Sendable
}

extension RequestContext {
    public subscript<S: ContextSlot>(slot slot: S.Type) -> S.Value? {
        get {
            let id = ObjectIdentifier(slot)
            for (key, value) in slots where key == id { return value as? S.Value }
            return nil
        }
        set {
            let id = ObjectIdentifier(slot)
            if let i = slots.firstIndex(where: { $0.0 == id }) {
                if let newValue { slots[i].1 = newValue } else { slots.remove(at: i) }
            } else if let newValue {
                slots.append((id, newValue))
            }
        }
    }
}
