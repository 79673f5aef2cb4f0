// Linux interfaces the Reaper needs that Swift's Glibc module does not
// expose cleanly: PR_SET_CHILD_SUBREAPER, signalfd(2) for SIGCHLD, epoll(7),
// eventfd(2), and posix_spawn(3) with every attribute set in one call.
#ifndef CREAPER_LINUX_H
#define CREAPER_LINUX_H

#include <stdint.h>
#include <sys/types.h>

/// prctl(PR_SET_CHILD_SUBREAPER, on).
int creaper_set_subreaper(int on);
/// prctl(PR_GET_CHILD_SUBREAPER); 1, 0, or -1.
int creaper_is_subreaper(void);
/// Blocks SIGCHLD in the calling thread (pthread_sigmask); threads created
/// afterwards inherit the block. Returns 0 or an errno.
int creaper_block_sigchld(void);
/// Blocks SIGPIPE in the calling thread: a write to a closed pipe then
/// fails with EPIPE instead of killing the process.
int creaper_block_sigpipe(void);
/// Installs a SIGCHLD handler (SA_RESTART | SA_NOCLDSTOP) that writes to
/// `wake_fd` (an eventfd), so a SIGCHLD taken by any thread that does not
/// block it still wakes the reaper. Returns 0 or -1 with errno.
int creaper_install_sigchld_handler(int wake_fd);
/// signalfd(-1, {SIGCHLD}, SFD_CLOEXEC | SFD_NONBLOCK).
int creaper_signalfd_sigchld(void);
/// Blocks `signals` in the calling thread; returns 0 or an errno.
int creaper_block_signals(const int *signals, int count);
/// signalfd(-1, signals, SFD_CLOEXEC | SFD_NONBLOCK) for other signals.
int creaper_signalfd(const int *signals, int count);
/// The next signal number queued on a signalfd, or 0 when none.
int creaper_read_signal(int fd);
/// Reads and discards pending signalfd records; returns how many.
int creaper_drain_signalfd(int fd);

int creaper_epoll_create(void);
int creaper_epoll_add(int epfd, int fd, uint32_t events);
int creaper_epoll_delete(int epfd, int fd);
int creaper_epoll_wait(int epfd, int *fds, uint32_t *events, int capacity, int timeout_ms);
int creaper_eventfd(void);
/// A CLOCK_MONOTONIC timerfd, non-blocking and close-on-exec.
int creaper_timerfd(void);
/// Arms it to fire once at the absolute CLOCK_MONOTONIC `deadline_ns`.
int creaper_timerfd_arm(int fd, uint64_t deadline_ns);
int creaper_timerfd_disarm(int fd);
extern const uint32_t creaper_epollin;
extern const uint32_t creaper_epollout;
extern const uint32_t creaper_epollhup;
extern const uint32_t creaper_epollerr;

/// Whether `pid` is still a child of ours that has not been reaped
/// (running, or a zombie): waitid(P_PID, WEXITED | WNOHANG | WNOWAIT).
/// Only then is its pid safe to signal: it cannot have been reused.
int creaper_is_unreaped_child(pid_t pid);
/// pipe2(fds, O_CLOEXEC).
int creaper_pipe(int fds[2]);
/// wait4(-1, &status, WNOHANG, NULL): the pid, 0 when none exited, -1 with errno.
pid_t creaper_reap_one(int *status);
/// Decodes a wait status.
int creaper_exited(int status);
int creaper_exit_code(int status);
int creaper_signaled(int status);
int creaper_term_signal(int status);
int creaper_core_dumped(int status);

/// posix_spawn(p) with: the child's descriptors 0..count-1 taken from
/// `sources` (a source of -1 leaves that number closed), an empty signal
/// mask, default dispositions for every signal, optionally a new session
/// (new_session) or a process group (process_group >= 0; 0 means its own),
/// and a working directory (NULL keeps ours).
/// Returns 0 and sets *pid, or an errno.
int creaper_spawn(pid_t *pid, const char *path, int search_path, char *const argv[], char *const envp[],
                  const char *directory, const int *sources, int count, int new_session, int process_group);

#endif
