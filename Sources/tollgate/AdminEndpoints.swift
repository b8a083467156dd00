import TollgateCore
import TollgateJSON

/// The core's own admin paths; plugins add theirs.
enum AdminEndpoints {
    static func install(_ routes: AdminRoutes, reloader: Reloader, server: GatewayServer) {
        routes.register("/health") { _ in
            AdminResponse(json: #"{"status":"ok"}"#)
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
