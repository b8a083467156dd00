import Foundation

/// A throwaway PostgreSQL server for this test process: Debian's server, started by
/// `examples/fleet/pg-cluster.sh` (initdb in a temp dir, pg_ctl on a free loopback port, as a
/// non-root user) on first use and stopped when the process exits. Each test gets a database
/// of its own, so tests run in parallel without seeing one another's rows.
final class PostgresCluster: Sendable {
    let dir: String
    let port: Int
    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples/fleet/pg-cluster.sh").path

    /// Started once, on first use. The blocking work (initdb, pg_ctl: seconds) runs on a
    /// thread of its own: a test suite's cooperative pool has as many threads as cores, and
    /// tests parked there would stall every other test's tasks meanwhile.
    static func shared() async throws -> PostgresCluster {
        try await starter.get()
    }

    private static let starter = Starter()

    private actor Starter {
        var started: Task<PostgresCluster, any Error>?
        func get() async throws -> PostgresCluster {
            if started == nil { started = Task { try await offThread { try PostgresCluster.startShared() } } }
            return try await started!.value
        }
    }

    private static func startShared() throws -> PostgresCluster {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-pg-\(getpid())").path
        let url = try run(script, ["start", dir]).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let port = URLComponents(string: url)?.port else { throw ClusterError("unexpected URL '\(url)'") }
        clusterDir = dir
        atexit {
            if let d = clusterDir {
                _ = try? PostgresCluster.run(PostgresCluster.script, ["stop", d])
                try? FileManager.default.removeItem(atPath: d)
            }
        }
        return PostgresCluster(dir: dir, port: port)
    }

    /// Runs blocking work on a new thread and resumes with its result.
    static func offThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { c in
            Thread { c.resume(with: Result { try work() }) }.start()
        }
    }

    /// A cluster of the test's own, for tests that stop the server: stopped and removed by
    /// `remove()`.
    static func dedicated() async throws -> PostgresCluster {
        try await offThread { try startDedicated() }
    }

    private static func startDedicated() throws -> PostgresCluster {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-pg-\(getpid())-\(UUID().uuidString.prefix(8))").path
        let url = try run(script, ["start", dir]).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let port = URLComponents(string: url)?.port else { throw ClusterError("unexpected URL '\(url)'") }
        return PostgresCluster(dir: dir, port: port)
    }

    func remove() {
        _ = try? Self.run(Self.script, ["stop", dir])
        try? FileManager.default.removeItem(atPath: dir)
    }

    private init(dir: String, port: Int) {
        self.dir = dir
        self.port = port
    }

    /// A new empty database, owned by the gateway's role; its URL.
    func freshDatabase() async throws -> String {
        try await Self.offThread { [self] in try createDatabase() }
    }

    private func createDatabase() throws -> String {
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        _ = try Self.run("/usr/bin/env", ["psql", "-h", "127.0.0.1", "-p", "\(port)", "-U", "postgres", "-d", "postgres",
                                          "-qAt", "-v", "ON_ERROR_STOP=1", "-c", "CREATE DATABASE \(name) OWNER tollgate"])
        return "postgres://tollgate@127.0.0.1:\(port)/\(name)"
    }

    func stopServer() async throws { _ = try await Self.offThread { [dir] in try Self.run(Self.script, ["restart-stop", dir]) } }
    func startServer() async throws { _ = try await Self.offThread { [dir] in try Self.run(Self.script, ["start-again", dir]) } }

    /// Runs a command to completion with posix_spawn and waitpid. Not Foundation's `Process`:
    /// its `waitUntilExit` needs another thread to notice the exit, and tests that wait here
    /// for the shared cluster can hold every thread of the cooperative pool.
    @discardableResult
    static func run(_ tool: String, _ args: [String]) throws -> String {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("pgc-\(UUID().uuidString)").path
        defer {
            try? FileManager.default.removeItem(atPath: out)
            try? FileManager.default.removeItem(atPath: out + ".err")
        }
        let quoted = ([tool] + args).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        let argv = ["/bin/sh", "-c", "\(quoted) >'\(out)' 2>'\(out).err' </dev/null"]
        var pid: pid_t = 0
        var cArgs = argv.map { strdup($0) } + [nil]
        defer { for a in cArgs { free(a) } }
        let rc = posix_spawn(&pid, "/bin/sh", nil, nil, &cArgs, environ)
        guard rc == 0 else { throw ClusterError("cannot spawn /bin/sh: \(rc)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let stdout = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        guard status == 0 else {
            let stderr = (try? String(contentsOfFile: out + ".err", encoding: .utf8)) ?? ""
            throw ClusterError("\(tool) \(args.joined(separator: " ")) failed (\(status)): \(stderr)")
        }
        return stdout
    }
}

/// The cluster to stop at exit. Written once, by `startShared` (which the `Starter` actor runs
/// exactly once), before `atexit` can read it; an `atexit` handler cannot capture a value.
nonisolated(unsafe) private var clusterDir: String?

struct ClusterError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
