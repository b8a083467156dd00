import TollgateCore
import TollgateJSON

/// `GET /v1/models`: the models the configured providers offer, as `provider/model` ids (the
/// form clients send back). Drawn from each provider's `models:` list and the price table.
enum ModelList {
    static func render(_ context: PluginBuildContext) -> [UInt8] {
        var ids: [(String, String)] = []
        var seen = Set<String>()
        func add(_ provider: String, _ model: String) {
            let id = "\(provider)/\(model)"
            if seen.insert(id).inserted { ids.append((id, provider)) }
        }
        for p in context.config.providers { for m in p.models { add(p.name, m) } }
        for key in context.config.pricing.keys.sorted() {
            if let slash = key.firstIndex(of: "/") { add(String(key[..<slash]), String(key[key.index(after: slash)...])) }
        }
        let data: [JSON] = ids.map { id, owner in
            ["id": .string(id), "object": "model", "created": 0, "owned_by": .string(owner)]
        }
        return JSON.object(["object": "list", "data": .array(data)]).serialized()
    }
}
