import CLinuxSupport
import SystemPackage

/// Core scheduling (prctl PR_SCHED_CORE, Linux 5.14+): tasks that share a
/// cookie may run on sibling SMT threads of one core; others never do.
package enum CoreScheduling {
    /// Gives the caller's process group a new cookie; processes it starts
    /// afterwards inherit it.
    package static func createCookieForProcessGroup() throws(Errno) {
        _ = try SystemCall.retrying("prctl(PR_SCHED_CORE_CREATE)") { clinux_sched_core_create_for_group() }
    }

    /// The cookie of `pid` (0: none).
    package static func cookie(of pid: Int32) throws(Errno) -> UInt64 {
        var cookie: UInt64 = 0
        _ = try SystemCall.retrying("prctl(PR_SCHED_CORE_GET)") { clinux_sched_core_cookie(pid, &cookie) }
        return cookie
    }
}
