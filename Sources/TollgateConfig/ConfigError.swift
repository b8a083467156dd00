/// One problem in a config file, at the position that caused it.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var mark: SourceMark
    public var message: String

    public init(mark: SourceMark, message: String) {
        self.mark = mark
        self.message = message
    }

    public init(_ message: String, at mark: SourceMark) {
        self.init(mark: mark, message: message)
    }

    /// `FILE:LINE:COL: message`, the format `tollgate check` prints.
    public var description: String { "\(mark): \(message)" }
}

/// Every problem found in one config file. Loading keeps going after the first error so that a
/// user fixes a file in one round trip, not one typo at a time.
public struct ConfigErrors: Error, Sendable, Equatable, CustomStringConvertible {
    public var errors: [ConfigError]

    public init(_ errors: [ConfigError]) { self.errors = errors }
    public init(errors: [ConfigError]) { self.errors = errors }

    /// One error per line, in file order.
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// A warning: the config is usable but probably not what was meant (an unset `${VAR}`, no routes).
public struct ConfigDiagnostic: Sendable, Equatable, CustomStringConvertible {
    public var mark: SourceMark
    public var message: String

    public init(mark: SourceMark, message: String) {
        self.mark = mark
        self.message = message
    }

    /// `FILE:LINE:COL: warning: message`.
    public var description: String { "\(mark): warning: \(message)" }
}
