import NIOConcurrencyHelpers

/// Lets a plugin (telemetry) count reloads without the core knowing about metrics backends.
public enum ReloadHooks {
    private static let observers = NIOLockedValueBox<[@Sendable (Bool) -> Void]>([])

    public static func observe(_ f: @escaping @Sendable (Bool) -> Void) {
        observers.withLockedValue { $0.append(f) }
    }

    public static func reloaded(success: Bool) {
        for f in observers.withLockedValue({ $0 }) { f(success) }
    }
}
