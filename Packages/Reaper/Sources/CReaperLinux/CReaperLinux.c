#define _GNU_SOURCE
#include "CReaperLinux.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

const uint32_t creaper_epollin = EPOLLIN;
const uint32_t creaper_epollout = EPOLLOUT;
const uint32_t creaper_epollhup = EPOLLHUP;
const uint32_t creaper_epollerr = EPOLLERR;

int creaper_set_subreaper(int on) { return prctl(PR_SET_CHILD_SUBREAPER, on ? 1 : 0, 0, 0, 0); }

int creaper_is_subreaper(void) {
    int value = 0;
    if (prctl(PR_GET_CHILD_SUBREAPER, &value, 0, 0, 0) != 0) return -1;
    return value != 0;
}

int creaper_block_sigchld(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    return pthread_sigmask(SIG_BLOCK, &set, NULL);
}

int creaper_block_sigpipe(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    return pthread_sigmask(SIG_BLOCK, &set, NULL);
}

static volatile int sigchld_wake_fd = -1;

static void on_sigchld(int signal) {
    (void)signal;
    int saved = errno;
    uint64_t one = 1;
    int fd = sigchld_wake_fd;
    if (fd >= 0) {
        ssize_t ignored = write(fd, &one, sizeof one);
        (void)ignored;
    }
    errno = saved;
}

int creaper_install_sigchld_handler(int wake_fd) {
    sigchld_wake_fd = wake_fd;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_sigchld;
    action.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    sigemptyset(&action.sa_mask);
    return sigaction(SIGCHLD, &action, NULL);
}

int creaper_signalfd_sigchld(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

static void fill(sigset_t *set, const int *signals, int count) {
    sigemptyset(set);
    for (int i = 0; i < count; i++) sigaddset(set, signals[i]);
}

int creaper_block_signals(const int *signals, int count) {
    sigset_t set;
    fill(&set, signals, count);
    return pthread_sigmask(SIG_BLOCK, &set, NULL);
}

int creaper_signalfd(const int *signals, int count) {
    sigset_t set;
    fill(&set, signals, count);
    return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

int creaper_read_signal(int fd) {
    struct signalfd_siginfo info;
    ssize_t got = read(fd, &info, sizeof info);
    return got == (ssize_t)sizeof info ? (int)info.ssi_signo : 0;
}

int creaper_drain_signalfd(int fd) {
    struct signalfd_siginfo info[16];
    int records = 0;
    for (;;) {
        ssize_t got = read(fd, info, sizeof info);
        if (got <= 0) return records;
        records += (int)(got / (ssize_t)sizeof info[0]);
    }
}

int creaper_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int creaper_epoll_add(int epfd, int fd, uint32_t events) {
    struct epoll_event event = {.events = events, .data = {.fd = fd}};
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &event);
}

int creaper_epoll_delete(int epfd, int fd) { return epoll_ctl(epfd, EPOLL_CTL_DEL, fd, 0); }

int creaper_epoll_wait(int epfd, int *fds, uint32_t *events, int capacity, int timeout_ms) {
    struct epoll_event ready[64];
    if (capacity > 64) capacity = 64;
    int count = epoll_wait(epfd, ready, capacity, timeout_ms);
    for (int i = 0; i < count; i++) {
        fds[i] = ready[i].data.fd;
        events[i] = ready[i].events;
    }
    return count;
}

int creaper_eventfd(void) { return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK); }

int creaper_timerfd(void) { return timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK); }

int creaper_timerfd_arm(int fd, uint64_t deadline_ns) {
    struct itimerspec spec;
    memset(&spec, 0, sizeof spec);
    spec.it_value.tv_sec = (time_t)(deadline_ns / 1000000000u);
    spec.it_value.tv_nsec = (long)(deadline_ns % 1000000000u);
    // A zero it_value would disarm: an already due deadline fires at once.
    if (deadline_ns == 0) spec.it_value.tv_nsec = 1;
    return timerfd_settime(fd, TFD_TIMER_ABSTIME, &spec, NULL);
}

int creaper_timerfd_disarm(int fd) {
    struct itimerspec spec;
    memset(&spec, 0, sizeof spec);
    return timerfd_settime(fd, 0, &spec, NULL);
}

int creaper_is_unreaped_child(pid_t pid) {
    siginfo_t info;
    memset(&info, 0, sizeof info);
    return waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0;
}

int creaper_pipe(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

pid_t creaper_reap_one(int *status) {
    for (;;) {
        pid_t pid = wait4(-1, status, WNOHANG, NULL);
        if (pid >= 0 || errno != EINTR) return pid;
    }
}

int creaper_exited(int status) { return WIFEXITED(status); }
int creaper_exit_code(int status) { return WEXITSTATUS(status); }
int creaper_signaled(int status) { return WIFSIGNALED(status); }
int creaper_term_signal(int status) { return WTERMSIG(status); }
int creaper_core_dumped(int status) { return WCOREDUMP(status); }

int creaper_spawn(pid_t *pid, const char *path, int search_path, char *const argv[], char *const envp[],
                  const char *directory, const int *sources, int count, int new_session, int process_group) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    int result = posix_spawn_file_actions_init(&actions);
    if (result != 0) return result;
    result = posix_spawnattr_init(&attributes);
    if (result != 0) {
        posix_spawn_file_actions_destroy(&actions);
        return result;
    }

    // Every source is first copied above all targets (close-on-exec), so a
    // source whose number is also a target cannot be overwritten before it
    // is used; then each copy is dup2'd onto its target, which clears
    // close-on-exec there. A source of -1 leaves that target closed.
    int copies[256];
    int made = 0;
    if (count > 256) count = 256;
    for (int i = 0; i < count && result == 0; i++) {
        if (sources[i] < 0) {
            copies[i] = -1;
            result = posix_spawn_file_actions_addclose(&actions, i);
            if (result == EBADF) result = 0;
            continue;
        }
        copies[i] = fcntl(sources[i], F_DUPFD_CLOEXEC, count + 3);
        if (copies[i] < 0) {
            result = errno;
            break;
        }
        made = i + 1;
    }
    for (int i = 0; i < count && result == 0; i++) {
        if (copies[i] >= 0) result = posix_spawn_file_actions_adddup2(&actions, copies[i], i);
    }
    if (result == 0 && directory != NULL) result = posix_spawn_file_actions_addchdir_np(&actions, directory);

    short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
    sigset_t empty, all;
    sigemptyset(&empty);
    sigfillset(&all);
    if (result == 0) result = posix_spawnattr_setsigmask(&attributes, &empty);
    if (result == 0) result = posix_spawnattr_setsigdefault(&attributes, &all);
    if (new_session) {
        flags |= POSIX_SPAWN_SETSID;
    } else if (process_group >= 0) {
        flags |= POSIX_SPAWN_SETPGROUP;
        if (result == 0) result = posix_spawnattr_setpgroup(&attributes, process_group);
    }
    if (result == 0) result = posix_spawnattr_setflags(&attributes, flags);

    if (result == 0) {
        char *const *environment = envp != NULL ? envp : environ;
        result = search_path ? posix_spawnp(pid, path, &actions, &attributes, argv, environment)
                             : posix_spawn(pid, path, &actions, &attributes, argv, environment);
    }
    for (int i = 0; i < made; i++) {
        if (copies[i] >= 0) close(copies[i]);
    }
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    return result;
}
