// The Linux interfaces every library of this package shares, wrapped once
// for what Swift's Glibc module cannot call or see directly: epoll(7)
// (whose event struct is packed on x86_64), eventfd(2), timerfd(2),
// signalfd(2), pipe2(2), accept4(2), prctl(PR_SET_NAME), F_DUPFD_CLOEXEC,
// and posix_spawn(3) with every attribute set in one call. Internal to the
// package: no product exposes these names.
#ifndef CLINUX_SUPPORT_H
#define CLINUX_SUPPORT_H

#include <stdint.h>
#include <sys/types.h>

// epoll(7) event bits.
extern const uint32_t clinux_epollin;
extern const uint32_t clinux_epollout;
extern const uint32_t clinux_epollerr;
extern const uint32_t clinux_epollhup;
extern const uint32_t clinux_epollrdhup;
extern const uint32_t clinux_epollet;

/// epoll_create1(EPOLL_CLOEXEC).
int clinux_epoll_create(void);
/// epoll_ctl(ADD / MOD / DEL) with `token` as the event's data.
int clinux_epoll_add(int epfd, int fd, uint32_t events, uint64_t token);
int clinux_epoll_modify(int epfd, int fd, uint32_t events, uint64_t token);
int clinux_epoll_delete(int epfd, int fd);
/// epoll_wait(2) into two arrays: each ready event's token and bits.
/// `capacity` is at most 64.
int clinux_epoll_wait(int epfd, uint64_t *tokens, uint32_t *events, int capacity, int timeout_ms);

/// eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK).
int clinux_eventfd(void);
/// A CLOCK_MONOTONIC timerfd, non-blocking and close-on-exec.
int clinux_timerfd(void);
/// Arms it to fire once at the absolute CLOCK_MONOTONIC `deadline_ns`;
/// 0 disarms it.
int clinux_timerfd_set(int fd, uint64_t deadline_ns);
/// CLOCK_MONOTONIC in nanoseconds.
uint64_t clinux_monotonic_now(void);

/// Blocks (`block` != 0) or unblocks `signals` in the calling thread
/// (pthread_sigmask); threads it creates inherit the mask. 0 or an errno.
int clinux_mask_signals(const int *signals, int count, int block);
/// signalfd(-1, signals, SFD_CLOEXEC | SFD_NONBLOCK).
int clinux_signalfd(const int *signals, int count);
/// The next signal number queued on a signalfd, 0 when none, -1 with errno.
int clinux_read_signal(int fd);

/// pipe2(fds, O_CLOEXEC).
int clinux_pipe(int fds[2]);
/// accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK).
int clinux_accept(int fd);
/// fcntl(F_DUPFD_CLOEXEC, 3): never 0, 1 or 2, even when those are closed,
/// so a copy can never become some child's inherited stdio.
int clinux_dup(int fd);
/// Sets or clears O_NONBLOCK. 0, or -1 with errno.
int clinux_set_nonblocking(int fd, int on);
/// Names the calling thread (prctl PR_SET_NAME), as `top -H` shows it.
void clinux_name_thread(const char *name);

/// prctl(PR_SCHED_CORE, PR_SCHED_CORE_CREATE, 0, PIDTYPE_PGID): a new
/// core-scheduling cookie for the caller's process group, inherited by the
/// children it starts. 0, or -1 with errno.
int clinux_sched_core_create_for_group(void);
/// prctl(PR_SCHED_CORE, PR_SCHED_CORE_GET, pid, PIDTYPE_PID, cookie). 0, or -1 with errno.
int clinux_sched_core_cookie(pid_t pid, uint64_t *cookie);

/// posix_spawn(p) with: the child's descriptors 0..count-1 taken from
/// `sources` (-1 leaves that number closed), an empty signal mask, default
/// dispositions for every signal, optionally a new session (new_session) or
/// a process group (process_group >= 0; 0 means its own), and a working
/// directory (NULL keeps ours). `envp` NULL passes our environment.
/// Returns 0 and sets *pid, or an errno.
int clinux_spawn(pid_t *pid, const char *path, int search_path, char *const argv[], char *const envp[],
                 const char *directory, const int *sources, int count, int new_session, int process_group);

#endif
