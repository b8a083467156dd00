/// A position in a config file. Lines and columns are 1-based, as editors and compilers count
/// them, so `FILE:LINE:COL` can be clicked in a terminal. Line 0 means "the file as a whole"
/// (it cannot be read, say) and prints as just `FILE`.
public struct SourceMark: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// The whole file, for errors that have no position (unreadable file).
    public static func file(_ file: String) -> SourceMark { SourceMark(file: file, line: 0, column: 0) }

    public var description: String {
        line > 0 ? "\(file):\(line):\(column)" : file
    }
}

extension SourceMark: Comparable {
    /// File order: errors are reported top to bottom whatever order the checks ran in.
    public static func < (a: SourceMark, b: SourceMark) -> Bool {
        (a.file, a.line, a.column) < (b.file, b.line, b.column)
    }
}
