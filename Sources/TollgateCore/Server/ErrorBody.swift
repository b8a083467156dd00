import NIOCore
import NIOHTTP1
import TollgateProtocols

/// Renders a gateway error in the caller's protocol, so each SDK raises its own error class.
enum ErrorBody {
    static func render(_ error: GatewayError, as proto: WireProtocol) -> (HTTPResponseStatus, HTTPHeaders, ByteBuffer) {
        let body = Translation.codec(proto).encodeError(error).serialized()
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json")
        if let r = error.retryAfter { headers.add(name: "retry-after", value: String(r)) }
        return (HTTPResponseStatus(statusCode: error.status), headers, ByteBuffer(bytes: body))
    }
}

enum RequestID {
    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// 128 random bits as 32 hex digits: unique enough, and cheap (no UUID formatting).
    static func make() -> String {
        var g = SystemRandomNumberGenerator()
        let a = g.next() as UInt64
        let b = g.next() as UInt64
        return String(unsafeUninitializedCapacity: 32) { buf in
            for i in 0..<16 {
                buf[i] = hex[Int((a >> (60 - UInt64(i) * 4)) & 0xF)]
                buf[16 + i] = hex[Int((b >> (60 - UInt64(i) * 4)) & 0xF)]
            }
            return 32
        }
    }
}
