/// `*` wildcard patterns as config files use them (`openai/*`, `claude-3-5-*`, `x-team-*`).
/// Compiled at load: a pattern with one trailing `*` — nearly all of them — is a prefix test.
public struct Glob: Sendable, Equatable {
    enum Form: Sendable, Equatable {
        case any
        case exact(String)
        case prefix(String)
        case general([Substring])  // pieces between stars
    }

    let form: Form
    public let pattern: String

    public init(_ pattern: String, caseInsensitive: Bool = false) {
        self.pattern = pattern
        let p = caseInsensitive ? pattern.lowercased() : pattern
        let stars = p.filter { $0 == "*" }.count
        if p == "*" {
            form = .any
        } else if stars == 0 {
            form = .exact(p)
        } else if stars == 1, p.hasSuffix("*") {
            form = .prefix(String(p.dropLast()))
        } else {
            form = .general(p.split(separator: "*", omittingEmptySubsequences: false))
        }
    }

    public func matches(_ text: String) -> Bool {
        switch form {
        case .any: return true
        case .exact(let e): return text == e
        case .prefix(let p): return text.hasPrefix(p)
        case .general(let pieces):
            var rest = Substring(text)
            guard let first = pieces.first, rest.hasPrefix(first) else { return false }
            rest = rest.dropFirst(first.count)
            for (i, piece) in pieces.enumerated().dropFirst() {
                if i == pieces.count - 1 { return piece.isEmpty || rest.hasSuffix(piece) }
                guard let r = rest.range(of: piece) else { return false }
                rest = rest[r.upperBound...]
            }
            return rest.isEmpty
        }
    }
}
