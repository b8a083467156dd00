import Crypto
import TollgateCore
import TollgateJSON

/// What makes two requests the same (plugins/cache/README.md): the scope, the route, the path
/// (API, operation, Gemini's model and whether it streams), and the body with its keys in one
/// order and without the fields that cannot change the answer. The key is the SHA-256 of that,
/// so it can be stored and compared across instances and restarts.
struct CacheKey: Sendable, Hashable {
    /// Hex SHA-256 of everything above: the exact mode's entry.
    let exact: String
    /// Hex SHA-256 of everything but the prompt's text: the entries a semantic lookup compares.
    let partition: String
    /// The prompt's text (system, messages, their text parts), for embedding.
    let promptText: String

    /// Body fields that never change an answer.
    static let ignored: Set<String> = ["user", "metadata", "store", "service_tier", "safety_identifier", "prompt_cache_key"]
    /// Body fields that hold the prompt, one per API.
    static let promptFields: Set<String> = ["messages", "input", "contents", "system", "systemInstruction", "system_instruction", "prompt", "instructions"]

    /// `semantic`: also the partition and the prompt's text; an exact lookup needs neither.
    init(scope: String, route: String, path: Substring, body: JSON, semantic: Bool = true) {
        var head: [UInt8] = []
        head.append(contentsOf: scope.utf8)
        head.append(0)
        head.append(contentsOf: route.utf8)
        head.append(0)
        head.append(contentsOf: path.utf8)
        head.append(0)
        var all = head
        var rest = head
        var text = ""
        if case .object(let o) = body {
            var kept = JSONObject(minimumCapacity: o.count)
            var others = JSONObject()
            for (k, v) in o where !Self.ignored.contains(k) {
                kept.append(k, v)
                guard semantic else { continue }
                if Self.promptFields.contains(k) { Self.collectText(v, into: &text) } else { others.append(k, v) }
            }
            Self.canonical(.object(kept), into: &all)
            if semantic { Self.canonical(.object(others), into: &rest) }
        } else {
            Self.canonical(body, into: &all)
        }
        exact = Self.hex(SHA256.hash(data: all))
        partition = semantic ? Self.hex(SHA256.hash(data: rest)) : ""
        promptText = text
    }

    /// JSON with object keys sorted, so `{"a":1,"b":2}` and `{"b":2,"a":1}` are one request.
    static func canonical(_ v: JSON, into out: inout [UInt8]) {
        switch v {
        case .object(let o):
            out.append(UInt8(ascii: "{"))
            var first = true
            for (k, x) in o.pairs.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                JSON.writeString(k, into: &out)
                out.append(UInt8(ascii: ":"))
                canonical(x, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        case .array(let a):
            out.append(UInt8(ascii: "["))
            for (i, x) in a.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                canonical(x, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        default:
            v.serialize(into: &out)
        }
    }

    /// Every string under `text`, `content` (when a string) or a bare string item, in order.
    static func collectText(_ v: JSON, into out: inout String) {
        switch v {
        case .string(let s):
            if !out.isEmpty { out += "\n" }
            out += s
        case .array(let a):
            for x in a { collectText(x, into: &out) }
        case .object(let o):
            for (k, x) in o.pairs where k == "text" || k == "content" || k == "parts" || k == "input" {
                collectText(x, into: &out)
            }
        default:
            break
        }
    }

    private static func hex(_ digest: SHA256.Digest) -> String {
        let chars = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for b in digest {
            out.append(chars[Int(b >> 4)])
            out.append(chars[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
