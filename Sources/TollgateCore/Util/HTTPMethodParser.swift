import NIOHTTP1

enum HTTPMethodParser {
    static func parse(_ s: String) -> HTTPMethod {
        switch s.uppercased() {
        case "GET": return .GET
        case "POST": return .POST
        case "PUT": return .PUT
        case "DELETE": return .DELETE
        case "PATCH": return .PATCH
        case "HEAD": return .HEAD
        case "OPTIONS": return .OPTIONS
        default: return .RAW(value: s.uppercased())
        }
    }
}
