/// Lets `${VAR}` stand unquoted inside YAML flow collections, as in `{value: ${KEY}, weight: 3}`.
/// There `{`, `}` and `,` are YAML syntax, so the reference would break the mapping. Before
/// parsing, each character of a `${...}` (up to the first `}` on its line) is swapped for a
/// private-use character, one for one, so lines and columns do not move; scalars and keys are
/// swapped back after parsing, then interpolated as usual.
enum ReferenceShield {
    /// Supplementary Private Use Area-A: printable to YAML, and never in a real config.
    private static let base: UInt32 = 0xF0000
    private static let top: UInt32 = 0xFFFFD

    static func shield(_ yaml: String) -> String {
        guard yaml.contains("${") else { return yaml }
        let scalars = Array(yaml.unicodeScalars)
        // A file that already uses the area cannot be shielded unambiguously; leave it alone.
        if scalars.contains(where: { (base...top).contains($0.value) }) { return yaml }
        var out = String.UnicodeScalarView()
        out.reserveCapacity(scalars.count)
        var i = 0
        while i < scalars.count {
            guard scalars[i] == "$", i + 1 < scalars.count, scalars[i + 1] == "{",
                let close = scalars[(i + 2)...].firstIndex(where: { $0 == "}" || $0 == "\n" }),
                scalars[close] == "}", scalars[i...close].allSatisfy({ $0.value <= 0xFFFD })
            else {
                out.append(scalars[i])
                i += 1
                continue
            }
            for s in scalars[i...close] {
                out.append(Unicode.Scalar(base + s.value) ?? s)
            }
            i = close + 1
        }
        return String(out)
    }

    static func unshield(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value >= base }) else { return text }
        var out = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            if (base...top).contains(s.value), let original = Unicode.Scalar(s.value - base) {
                out.append(original)
            } else {
                out.append(s)
            }
        }
        return String(out)
    }
}
