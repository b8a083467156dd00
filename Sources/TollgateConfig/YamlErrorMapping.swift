import Yams

/// Yams' errors as `ConfigError`s at the position libyaml reports, with libyaml's wording kept
/// (it is precise) but without the snippet Yams appends: the mark already points there.
enum YamlErrorMapping {
    static func configError(_ error: any Error, file: String) -> ConfigError {
        func at(_ m: Mark) -> SourceMark { SourceMark(file: file, line: m.line, column: m.column) }
        func withContext(_ problem: String, _ context: YamlError.Context?) -> String {
            guard let context else { return "YAML syntax error: \(problem)" }
            return "YAML syntax error: \(problem) (\(context.text) at line \(context.mark.line), column \(context.mark.column))"
        }
        guard let yamlError = error as? YamlError else {
            return ConfigError("YAML error: \(error)", at: SourceMark(file: file, line: 1, column: 1))
        }
        switch yamlError {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            return ConfigError(withContext(problem, context), at: at(mark))
        case .reader(let problem, let offset, _, let yaml):
            return ConfigError("cannot read YAML: \(problem)", at: position(ofCharacter: offset, in: yaml, file: file))
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\(ReferenceShield.unshield($0))'" }.joined(separator: ", ")
            return ConfigError("duplicate key \(keys) in this mapping", at: at(context.mark))
        default:
            return ConfigError("YAML error: \(yamlError)", at: SourceMark(file: file, line: 1, column: 1))
        }
    }

    /// Line and column of a character offset (Yams gives reader errors as an offset).
    private static func position(ofCharacter offset: Int?, in yaml: String, file: String) -> SourceMark {
        var line = 1
        var column = 1
        for c in yaml.prefix(offset ?? 0) {
            if c == "\n" { line += 1; column = 1 } else { column += 1 }
        }
        return SourceMark(file: file, line: line, column: column)
    }
}
