import TollgateCore
import TollgateJSON
import TollgateStore

/// The core's own admin paths; plugins add theirs.
enum AdminEndpoints {
    static func install(_ routes: AdminRoutes, reloader: Reloader, server: GatewayServer, store: any Store) {
        // The store is part of health: a fleet instance whose database is gone answers limited
        // keys with 503, so a load balancer should know.
        routes.register("/health") { _ in
            let kind = JSON.string(store.kind)
            do {
                try await bounded(.seconds(2)) { try await store.ping() }
                return AdminResponse(body: JSON.object(["status": "ok", "store": .object(["kind": kind, "status": "ok"])]).serialized())
            } catch {
                let body = JSON.object([
                    "status": "degraded",
                    "store": .object(["kind": kind, "status": "unreachable", "error": .string("\(error)")]),
                ]).serialized()
                return AdminResponse(status: .serviceUnavailable, body: body)
            }
        }
        routes.register("/admin/reload") { req in
            guard req.method == .POST else {
                return AdminResponse(status: .methodNotAllowed, json: #"{"error":{"message":"use POST"}}"#)
            }
            if let errors = await reloader.reload(trigger: "admin") {
                let body = JSON.object(["status": "error", "errors": .string(errors)]).serialized()
                return AdminResponse(status: .badRequest, body: body)
            }
            return AdminResponse(json: #"{"status":"reloaded"}"#)
        }
    }
}

