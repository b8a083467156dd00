#if canImport(Glibc)
import Glibc
#endif
import Logging

/// Every client and upstream connection is a file descriptor, and the usual soft limit (1024)
/// is far below what a gateway holds. Like nginx's `worker_rlimit_nofile`, the soft limit is
/// raised to the hard one at start; past it, accept backs off and says so (GatewayServer).
enum FileLimit {
    static func raiseToHardLimit(logger: Logger) {
        #if canImport(Glibc)
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        logger.debug("file descriptor limit: \(limit.rlim_cur)")
        #endif
    }
}
