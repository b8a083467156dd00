import ArgumentParser

/// `tollgate` alone runs the gateway, as `tollgate serve` does.
@main
struct Tollgate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tollgate",
        abstract: "An AI gateway: any OpenAI, Anthropic or Gemini client, any provider.",
        version: TollgateVersion.string,
        subcommands: [Serve.self, Check.self, Version.self],
        defaultSubcommand: Serve.self
    )
}

enum TollgateVersion {
    static let string = "0.1.0"
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version.")
    func run() { print("tollgate \(TollgateVersion.string)") }
}
