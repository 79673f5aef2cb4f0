// What only the Reaper needs from Linux: PR_SET_CHILD_SUBREAPER, a SIGCHLD
// handler that is async-signal-safe, waitid(2) with WNOWAIT, wait4(2) and
// the wait status macros. Epoll, signalfd, eventfd, timers and
// posix_spawn come from the package's shared layer (LinuxSupport).
#ifndef CREAPER_LINUX_H
#define CREAPER_LINUX_H

#include <stdint.h>
#include <sys/types.h>

/// prctl(PR_SET_CHILD_SUBREAPER, on).
int creaper_set_subreaper(int on);
/// prctl(PR_GET_CHILD_SUBREAPER); 1, 0, or -1.
int creaper_is_subreaper(void);
/// Installs a SIGCHLD handler (SA_RESTART | SA_NOCLDSTOP) that writes to
/// `wake_fd` (an eventfd), so a SIGCHLD taken by any thread that does not
/// block it still wakes the reaper. Returns 0 or -1 with errno.
int creaper_install_sigchld_handler(int wake_fd);

/// Whether `pid` is still a child of ours that has not been reaped
/// (running, or a zombie): waitid(P_PID, WEXITED | WNOHANG | WNOWAIT).
/// Only then is its pid safe to signal: it cannot have been reused.
int creaper_is_unreaped_child(pid_t pid);
/// wait4(-1, &status, WNOHANG, NULL): the pid, 0 when none exited, -1 with errno.
pid_t creaper_reap_one(int *status);
/// Decodes a wait status.
int creaper_exited(int status);
int creaper_exit_code(int status);
int creaper_signaled(int status);
int creaper_term_signal(int status);
int creaper_core_dumped(int status);

#endif
