import TollgateJSON

/// Ollama errors are `{"error": "message"}`; the HTTP status is the only kind information.
enum OllamaErrors {
    static func decode(status: Int, body: [UInt8]) -> GatewayError {
        let json = try? JSON.parse(body)
        let message = json?["error"]?.string ?? json?["error"]?["message"]?.string
            ?? String(decoding: body.prefix(512), as: UTF8.self)
        return GatewayError(status: status, kind: GatewayError.kind(forStatus: status), message: message)
    }

    static func encode(_ e: GatewayError) -> JSON { ["error": .string(e.message)] }
}
