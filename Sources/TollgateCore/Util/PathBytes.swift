/// Path tests on UTF-8 bytes. `StringProtocol.hasSuffix`/`hasPrefix` on a `Substring` compare
/// Characters (grapheme breaking, generically): choosing a surface from the path with them cost
/// ~25k instructions per request (bench/profile, routes-bench-by-path.yaml); bytes cost a few
/// dozen. Paths are ASCII in practice, and a byte comparison is exact for any UTF-8.
extension Substring {
    @inlinable
    public func bytesHaveSuffix(_ suffix: StaticString) -> Bool {
        let u = utf8
        let n = suffix.utf8CodeUnitCount
        guard u.count >= n else { return false }
        return suffix.withUTF8Buffer { s in u[u.index(u.endIndex, offsetBy: -n)...].elementsEqual(s) }
    }

    @inlinable
    public func bytesHavePrefix(_ prefix: StaticString) -> Bool {
        let u = utf8
        let n = prefix.utf8CodeUnitCount
        guard u.count >= n else { return false }
        return prefix.withUTF8Buffer { p in u[..<u.index(u.startIndex, offsetBy: n)].elementsEqual(p) }
    }

    /// Where `needle` first occurs, as a range of this substring's indices.
    @inlinable
    public func bytesRange(of needle: StaticString) -> Range<Index>? {
        let u = utf8
        let n = needle.utf8CodeUnitCount
        guard n > 0, u.count >= n else { return nil }
        return needle.withUTF8Buffer { s -> Range<Index>? in
            var i = u.startIndex
            let last = u.index(u.endIndex, offsetBy: -n)
            while i <= last {
                if u[i] == s[0] {
                    let end = u.index(i, offsetBy: n)
                    if u[i..<end].elementsEqual(s) { return i..<end }
                }
                i = u.index(after: i)
            }
            return nil
        }
    }
}
