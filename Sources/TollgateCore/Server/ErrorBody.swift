import NIOCore
import NIOHTTP1
import Synchronization
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
    /// Random once per process; with the counter, ids are unique across restarts without a
    /// `getrandom` call per request.
    private static let prefix = UInt64.random(in: .min ... .max)
    private static let counter = Atomic<UInt64>(0)

    /// 32 hex digits: 64 random bits for this process, then a 64-bit sequence number.
    static func make() -> String {
        let a = prefix
        let b = counter.wrappingAdd(1, ordering: .relaxed).newValue
        return String(unsafeUninitializedCapacity: 32) { buf in
            for i in 0..<16 {
                buf[i] = hex[Int((a >> (60 - UInt64(i) * 4)) & 0xF)]
                buf[16 + i] = hex[Int((b >> (60 - UInt64(i) * 4)) & 0xF)]
            }
            return 32
        }
    }
}
