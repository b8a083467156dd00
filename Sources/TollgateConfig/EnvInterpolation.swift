/// `${VAR}` substitution in scalar text, done after YAML parsing so marks point at the file as
/// written and a value with `:` or `#` in it cannot break the YAML around it.
///
/// - `${VAR}`: the variable, or "" when unset (the caller warns once per variable).
/// - `${VAR:-default}`: the default when VAR is unset or empty.
/// - `${VAR:?message}`: an error with the message when VAR is unset or empty.
/// - `$${`: a literal `${` (the escape). Any other `$` is kept as is, so keys with `$` survive.
/// The default and message run to the first `}`: they cannot nest `${...}` or contain `}`.
struct EnvInterpolation {
    var environment: [String: String]

    enum Problem: Error, Equatable {
        case required(variable: String, message: String)
        case malformed(String)
    }

    /// The text with every reference replaced, and the unset variables it read via plain `${VAR}`.
    func interpolate(_ text: String) -> Result<(text: String, unset: [String]), Problem> {
        guard text.contains("$") else { return .success((text, [])) }
        var out = ""
        var unset: [String] = []
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            guard c == "$" else {
                out.append(c)
                i = text.index(after: i)
                continue
            }
            let rest = text[i...]
            if rest.hasPrefix("$${") {
                out += "${"
                i = text.index(i, offsetBy: 3)
                continue
            }
            guard rest.hasPrefix("${") else {
                out.append(c)
                i = text.index(after: i)
                continue
            }
            let bodyStart = text.index(i, offsetBy: 2)
            guard let close = text[bodyStart...].firstIndex(of: "}") else {
                return .failure(.malformed("unterminated '${' in \"\(text)\" (write '$${' for a literal '${')"))
            }
            switch expand(String(text[bodyStart..<close])) {
            case .failure(let problem): return .failure(problem)
            case .success(let (value, unsetName)):
                out += value
                if let name = unsetName, !unset.contains(name) { unset.append(name) }
            }
            i = text.index(after: close)
        }
        return .success((out, unset))
    }

    /// One `${...}` body: `NAME`, `NAME:-default` or `NAME:?message`.
    private func expand(_ body: String) -> Result<(String, String?), Problem> {
        let name: Substring
        var op: Substring = ""
        var arg: Substring = ""
        if let colon = body.firstIndex(of: ":") {
            name = body[..<colon]
            let after = body[body.index(after: colon)...]
            op = after.prefix(1)
            arg = after.dropFirst()
        } else {
            name = Substring(body)
        }
        guard Self.isValidName(name) else {
            return .failure(.malformed("invalid variable reference '${\(body)}' (expected ${NAME}, ${NAME:-default} or ${NAME:?message})"))
        }
        let value = environment[String(name)]
        switch op {
        case "":
            guard body.firstIndex(of: ":") == nil else { break }
            return .success((value ?? "", value == nil ? String(name) : nil))
        case "-":
            if let value, !value.isEmpty { return .success((value, nil)) }
            return .success((String(arg), nil))
        case "?":
            if let value, !value.isEmpty { return .success((value, nil)) }
            let message = arg.isEmpty ? "required variable is not set" : String(arg)
            return .failure(.required(variable: String(name), message: message))
        default: break
        }
        return .failure(.malformed("invalid variable reference '${\(body)}' (expected ${NAME}, ${NAME:-default} or ${NAME:?message})"))
    }

    static func isValidName(_ name: Substring) -> Bool {
        guard let first = name.first, first == "_" || (first.isASCII && first.isLetter) else { return false }
        return name.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
    }
}
