import TollgateJSON
import Yams

/// How plain scalar text reads as a number or boolean. The typed readers are stricter than YAML
/// 1.1 on purpose: `010` is ten, not octal eight, and `1:30` is not a sexagesimal integer, since a
/// config author means what they see. `json()` follows Yams' own resolver, so plugin options
/// pass through as YAML would type them.
enum ScalarTyping {
    static func int(_ text: String) -> Int? {
        var s = Substring(text.filter { $0 != "_" })
        var negative = false
        if s.first == "-" || s.first == "+" {
            negative = s.first == "-"
            s = s.dropFirst()
        }
        let magnitude: Int?
        if s.hasPrefix("0x") || s.hasPrefix("0X") {
            magnitude = Int(s.dropFirst(2), radix: 16)
        } else if s.hasPrefix("0o") || s.hasPrefix("0O") {
            magnitude = Int(s.dropFirst(2), radix: 8)
        } else if s.hasPrefix("0b") || s.hasPrefix("0B") {
            magnitude = Int(s.dropFirst(2), radix: 2)
        } else if !s.isEmpty, s.allSatisfy(\.isASCIIDigit) {
            magnitude = Int(s)
        } else {
            magnitude = nil
        }
        guard let m = magnitude, !s.isEmpty else { return nil }
        return negative ? -m : m
    }

    static func double(_ text: String) -> Double? {
        if let i = int(text) { return Double(i) }
        let s = text.filter { $0 != "_" }
        // Swift's Double("nan") / Double("inf") would accept words YAML does not; keep to digits.
        guard !s.isEmpty, s.allSatisfy({ $0.isASCIIDigit || "+-.eE".contains($0) }),
            s.contains(where: \.isASCIIDigit)
        else { return nil }
        return Double(s)
    }

    /// YAML 1.1 booleans, which is what Yams resolves: true/false, yes/no, on/off.
    static func bool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: return nil
        }
    }

    /// A plain (unquoted) scalar as YAML would type it. Dates stay strings: JSON has none.
    static func json(_ text: String) -> JSON {
        let node = Node(text)
        switch Resolver.default.resolveTag(of: node) {
        case .null: return .null
        case .bool: if let b = node.bool { return .bool(b) }
        case .int: if let i = Int64.construct(from: Node.Scalar(text, Tag(.int))) { return .int(i) }
        case .float: if let d = node.float, d.isFinite { return .double(d) }
        default: break
        }
        return .string(text)
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
