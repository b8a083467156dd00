import TollgateConfig
import TollgateCore
import TollgateJSON
import TollgateProtocols

/// Finds provider and model for a request: `provider/model` prefixes first, then the route's
/// fixed provider, then the surface's default. Runs once per request, shared through the
/// context with governance.
struct ModelResolver: TargetResolving {
    let config: AIProxyConfig
    /// Provider names, to tell `anthropic/claude-…` (a prefix) from `meta-llama/Llama-3` (a
    /// model name with a slash, valid for a fixed provider).
    let known: Set<String>
    let knownList: String

    func resolve(_ ctx: RequestContext) throws(GatewayError) -> ResolvedTarget {
        guard let surface = config.surface(for: ctx) else { throw AIProxyErrors.noSurface(ctx) }
        return try resolve(ctx, surface)
    }

    /// With the request's surface already known (ai-proxy's upstream phase has it).
    func resolve(_ ctx: RequestContext, _ surface: Surface) throws(GatewayError) -> ResolvedTarget {
        let requested = try requestedModel(ctx, surface)
        // Checked before anything echoes it (errors, the x-tollgate-model header, URLs).
        let limit = ctx.runtime.config.server.maxModelNameBytes
        guard requested.utf8.count <= limit else {
            throw GatewayError.badRequest("model name is longer than \(limit) bytes (server.max_model_name_bytes)", param: "model")
        }
        // A model group's name (docs/routing.md), unless the route fixes what it calls.
        if config.provider == nil, config.model == nil, let group = ctx.runtime.groups[requested],
           let i = group.choose(ctx.runtime.health) {
            ctx.modelGroup = group
            ctx.groupTried = 1 << UInt64(i)
            return group.targets[i]
        }
        var provider: String?
        var model = requested
        // On the UTF-8 view: `String.firstIndex(of: Character)` walks grapheme clusters.
        if let slash = requested.utf8.firstIndex(of: UInt8(ascii: "/")) {
            let prefix = String(requested[..<slash])
            if known.contains(prefix) {
                provider = prefix
                model = String(requested[requested.index(after: slash)...])
            } else if config.provider == nil {
                throw GatewayError.badRequest(
                    "unknown provider '\(prefix)' in model '\(requested)'; known providers: \(knownList)", param: "model")
            }
        }
        let p = config.provider ?? provider ?? surface.defaultProvider
        if let fixed = config.model { model = fixed }
        guard !model.isEmpty else { throw GatewayError.badRequest("missing model", param: "model") }
        // The model goes into the upstream URL (Gemini, Vertex, Azure) and a response header.
        guard HeaderSafety.isSafeToken(model) else {
            throw GatewayError.badRequest("model name must not contain spaces, control characters, '?' or '#'", param: "model")
        }
        return ResolvedTarget(provider: p, model: model)
    }

    private func requestedModel(_ ctx: RequestContext, _ surface: Surface) throws(GatewayError) -> String {
        switch surface {
        case .genai, .genaiCountTokens, .genaiEmbed:
            return GenAIPath.model(ctx.path) ?? ""
        case .azureChat:
            return AzurePath.deployment(ctx.path) ?? ""
        case .openAIModels, .anthropicModels, .genaiModels:
            return ""
        default:
            guard let m = try ctx.topLevel("model") else {
                if config.model != nil { return "" }
                throw GatewayError.badRequest("missing model", param: "model")
            }
            guard let s = m.string else { throw GatewayError.badRequest("model must be a string", param: "model") }
            return s
        }
    }
}

/// `/genai/{v1,v1beta}/models/{model}:{method}`; the model may itself hold slashes
/// (`anthropic/claude-…`).
enum GenAIPath {
    /// The model, percent-decoded (`%2F` back to `/`); the colon is found on bytes.
    static func model(_ path: Substring) -> String? {
        guard let r = path.bytesRange(of: "/models/") else { return nil }
        let rest = path[r.upperBound...]
        guard let colon = rest.utf8.lastIndex(of: UInt8(ascii: ":")) else { return String(rest).removingPercentEncodingForPath }
        return String(rest[..<colon]).removingPercentEncodingForPath
    }

    /// The method after the model's colon, when the path is a Gemini model call; on bytes,
    /// without allocating.
    static func method(_ path: Substring) -> Substring? {
        let u = path.utf8
        guard let colon = u.lastIndex(of: UInt8(ascii: ":")), let slash = u.lastIndex(of: UInt8(ascii: "/")), slash < colon else { return nil }
        // `/models/` before the colon (the model itself may hold slashes).
        guard path[..<colon].bytesRange(of: "/models/") != nil else { return nil }
        return path[u.index(after: colon)...]
    }
}

/// `/…/deployments/{deployment}/chat/completions`.
enum AzurePath {
    static func deployment(_ path: Substring) -> String? {
        guard let r = path.bytesRange(of: "/deployments/") else { return nil }
        let rest = path[r.upperBound...]
        return rest.split(separator: "/", maxSplits: 1).first.map(String.init)
    }
}

extension String {
    /// `%2F` in a model name (what some SDKs send for slashes) back to `/`.
    var removingPercentEncodingForPath: String {
        guard contains("%") else { return self }
        var out: [UInt8] = []
        var it = Array(utf8)[...]
        while let c = it.popFirst() {
            if c == UInt8(ascii: "%"), it.count >= 2, let v = UInt8(String(decoding: it.prefix(2), as: UTF8.self), radix: 16) {
                out.append(v)
                it = it.dropFirst(2)
            } else {
                out.append(c)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
