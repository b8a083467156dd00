/// Runs async operations one after another, in call order. An actor alone is not enough for a
/// database connection: actor methods interleave at every `await`, so two transactions could
/// mix their statements. Each operation here starts only after the previous one finished.
actor SerialQueue {
    private var tail: Task<Void, Never>?

    func run<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        let previous = tail
        let task = Task<T, any Error> {
            await previous?.value
            return try await operation()
        }
        tail = Task { _ = try? await task.value }
        return try await task.value
    }
}
