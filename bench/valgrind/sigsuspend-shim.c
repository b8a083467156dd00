/* LD_PRELOAD shim for profiling Swift programs under valgrind 3.19 (Debian bookworm's).
 *
 * A Swift program with an async main parks its main thread in libdispatch's
 * _dispatch_sig_thread -> sigsuspend(&mask), where the mask is a const in libdispatch's
 * read-only data. valgrind 3.19's rt_sigsuspend wrapper sanitizes the mask in place, i.e. writes
 * to that page, and dies with "VALGRIND INTERNAL ERROR: Valgrind received a signal 11". Handing
 * the kernel a writable copy of the mask changes nothing else. bench/profile builds this with cc.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

int sigsuspend(const sigset_t *mask) {
    sigset_t copy = *mask;
    return (int)syscall(SYS_rt_sigsuspend, &copy, _NSIG / 8);
}
