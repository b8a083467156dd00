import TollgateJSON

/// Gemini's `parameters`/`responseSchema` are an OpenAPI 3.0 subset: upper-case type names from
/// google-genai, `nullable` instead of `["t","null"]`, and a 400 for keywords outside the subset
/// (`additionalProperties`, `$schema`, …). These two functions convert between that and the
/// JSON Schema every other protocol uses.
enum GeminiSchema {
    /// Keywords Gemini's Schema object accepts; everything else is dropped on the way in.
    static let allowed: Set<String> = [
        "type", "format", "title", "description", "nullable", "enum", "maxItems", "minItems",
        "properties", "required", "minProperties", "maxProperties", "minLength", "maxLength",
        "pattern", "example", "anyOf", "propertyOrdering", "default", "items", "minimum", "maximum",
    ]

    /// Gemini schema → JSON Schema: lower-cases type names, keeps every other keyword.
    static func toJSONSchema(_ s: JSON) -> JSON {
        switch s {
        case .object(let o):
            var out = JSONObject()
            for (k, v) in o {
                if k == "type", let t = v.string {
                    out.append(k, .string(t.lowercased()))
                } else if k == "properties", let props = v.object {
                    out.append(k, .object(JSONObject(props.map { ($0.key, toJSONSchema($0.value)) })))
                } else if k == "items" || k == "anyOf" {
                    out.append(k, toJSONSchema(v))
                } else {
                    out.append(k, v)
                }
            }
            return .object(out)
        case .array(let a):
            return .array(a.map(toJSONSchema))
        default:
            return s
        }
    }

    /// JSON Schema → Gemini schema: drops unsupported keywords, turns `["string","null"]` into
    /// `nullable`, drops empty `properties` (Gemini rejects an OBJECT with `properties: {}`).
    static func fromJSONSchema(_ s: JSON) -> JSON {
        switch s {
        case .object(let o):
            var out = JSONObject()
            for (k, v) in o where allowed.contains(k) {
                switch k {
                case "type":
                    if let types = v.array {
                        let named = types.compactMap(\.string).filter { $0 != "null" }
                        if let t = named.first { out.append("type", .string(t)) }
                        if named.count < types.count { out["nullable"] = true }
                    } else {
                        out.append(k, v)
                    }
                case "properties":
                    guard let props = v.object, !props.isEmpty else { continue }
                    out.append(k, .object(JSONObject(props.map { ($0.key, fromJSONSchema($0.value)) })))
                case "items":
                    out.append(k, fromJSONSchema(v))
                case "anyOf":
                    out.append(k, .array((v.array ?? []).map(fromJSONSchema)))
                default:
                    out[k] = v  // may replace the `nullable` a type list implied
                }
            }
            return .object(out)
        default:
            return [:]
        }
    }

    /// A function without arguments must omit `parameters`: Gemini rejects a bare OBJECT.
    static func parameters(_ s: JSON) -> JSON? {
        let g = fromJSONSchema(s)
        guard let o = g.object, !o.isEmpty else { return nil }
        if o.count == 1, o["type"]?.string == "object" { return nil }
        return g
    }
}
