import NIOConcurrencyHelpers
import NIOHTTP1

/// A request to the admin listener. Off the request path, so handlers are plain async code.
public struct AdminRequest: Sendable {
    public var method: HTTPMethod
    public var path: String
    public var query: [String: String]
    public var headers: HTTPHeaders
    public var body: [UInt8]
}

public struct AdminResponse: Sendable {
    public var status: HTTPResponseStatus
    public var contentType: String
    public var body: [UInt8]
    public init(status: HTTPResponseStatus = .ok, contentType: String = "application/json", body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }
    public init(status: HTTPResponseStatus = .ok, json: String) {
        self.init(status: status, contentType: "application/json", body: Array(json.utf8))
    }
}

/// The admin listener's table of paths. The core registers /health and /admin/reload;
/// plugins add theirs (/metrics, /admin/logs) at start.
public final class AdminRoutes: Sendable {
    public typealias Handler = @Sendable (AdminRequest) async -> AdminResponse
    /// Whether the path needs `admin.token` (everything under /admin/ does).
    private let table = NIOLockedValueBox<[String: Handler]>([:])

    public init() {}

    public func register(_ path: String, _ handler: @escaping Handler) {
        table.withLockedValue { $0[path] = handler }
    }

    func handler(for path: String) -> Handler? {
        table.withLockedValue { $0[path] }
    }
}
