/// Relative paths in a config (store, TLS files) are relative to the config file's directory,
/// not the working directory, so `tollgate serve --config /etc/tollgate/routes.yaml` works from
/// anywhere.
enum Paths {
    static func resolve(_ path: String, against baseDirectory: String) -> String {
        if path.hasPrefix("/") { return path }
        var base = baseDirectory.isEmpty ? "." : baseDirectory
        while base.count > 1, base.hasSuffix("/") { base.removeLast() }
        var relative = Substring(path)
        while relative.hasPrefix("./") { relative = relative.dropFirst(2) }
        return base == "/" ? "/" + relative : base + "/" + relative
    }

    static func directory(of file: String) -> String {
        guard let slash = file.lastIndex(of: "/") else { return "." }
        let dir = file[..<slash]
        return dir.isEmpty ? "/" : String(dir)
    }
}
