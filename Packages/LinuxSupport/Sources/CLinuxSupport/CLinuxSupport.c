#define _GNU_SOURCE
#include "CLinuxSupport.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

const uint32_t clinux_epollin = EPOLLIN;
const uint32_t clinux_epollout = EPOLLOUT;
const uint32_t clinux_epollerr = EPOLLERR;
const uint32_t clinux_epollhup = EPOLLHUP;
const uint32_t clinux_epollrdhup = EPOLLRDHUP;
const uint32_t clinux_epollet = EPOLLET;

int clinux_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

static int control(int epfd, int operation, int fd, uint32_t events, uint64_t token) {
    struct epoll_event event;
    memset(&event, 0, sizeof event);
    event.events = events;
    event.data.u64 = token;
    return epoll_ctl(epfd, operation, fd, &event);
}

int clinux_epoll_add(int epfd, int fd, uint32_t events, uint64_t token) {
    return control(epfd, EPOLL_CTL_ADD, fd, events, token);
}

int clinux_epoll_modify(int epfd, int fd, uint32_t events, uint64_t token) {
    return control(epfd, EPOLL_CTL_MOD, fd, events, token);
}

int clinux_epoll_delete(int epfd, int fd) { return epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL); }

int clinux_epoll_wait(int epfd, uint64_t *tokens, uint32_t *events, int capacity, int timeout_ms) {
    struct epoll_event ready[64];
    if (capacity > 64) capacity = 64;
    int count = epoll_wait(epfd, ready, capacity, timeout_ms);
    for (int i = 0; i < count; i++) {
        tokens[i] = ready[i].data.u64;
        events[i] = ready[i].events;
    }
    return count;
}

int clinux_eventfd(void) { return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK); }

int clinux_timerfd(void) { return timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK); }

int clinux_timerfd_set(int fd, uint64_t deadline_ns) {
    struct itimerspec spec;
    memset(&spec, 0, sizeof spec);
    spec.it_value.tv_sec = (time_t)(deadline_ns / 1000000000ull);
    spec.it_value.tv_nsec = (long)(deadline_ns % 1000000000ull);
    return timerfd_settime(fd, TFD_TIMER_ABSTIME, &spec, NULL);
}

uint64_t clinux_monotonic_now(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
}

static void fill_set(sigset_t *set, const int *signals, int count) {
    sigemptyset(set);
    for (int i = 0; i < count; i++) sigaddset(set, signals[i]);
}

int clinux_mask_signals(const int *signals, int count, int block) {
    sigset_t set;
    fill_set(&set, signals, count);
    return pthread_sigmask(block ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
}

int clinux_signalfd(const int *signals, int count) {
    sigset_t set;
    fill_set(&set, signals, count);
    return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

int clinux_read_signal(int fd) {
    struct signalfd_siginfo info;
    for (;;) {
        ssize_t count = read(fd, &info, sizeof info);
        if (count == (ssize_t)sizeof info) return (int)info.ssi_signo;
        if (count < 0 && errno == EINTR) continue;
        if (count < 0 && errno == EAGAIN) return 0;
        return count < 0 ? -1 : 0;
    }
}

int clinux_pipe(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int clinux_accept(int fd) { return accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK); }

int clinux_dup(int fd) { return fcntl(fd, F_DUPFD_CLOEXEC, 3); }

int clinux_set_nonblocking(int fd, int on) {
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0) return -1;
    int wanted = on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
    if (wanted == flags) return 0;
    return fcntl(fd, F_SETFL, wanted);
}

void clinux_name_thread(const char *name) { prctl(PR_SET_NAME, name, 0, 0, 0); }

#ifndef PR_SCHED_CORE
#define PR_SCHED_CORE 62
#define PR_SCHED_CORE_GET 0
#define PR_SCHED_CORE_CREATE 1
#endif
// enum pid_type in the kernel: PIDTYPE_PID 0, PIDTYPE_TGID 1, PIDTYPE_PGID 2.
#define CLINUX_PIDTYPE_PID 0
#define CLINUX_PIDTYPE_PGID 2

int clinux_sched_core_create_for_group(void) {
    return prctl(PR_SCHED_CORE, PR_SCHED_CORE_CREATE, 0, CLINUX_PIDTYPE_PGID, 0);
}

int clinux_sched_core_cookie(pid_t pid, uint64_t *cookie) {
    return prctl(PR_SCHED_CORE, PR_SCHED_CORE_GET, pid, CLINUX_PIDTYPE_PID, (unsigned long)cookie);
}

int clinux_spawn(pid_t *pid, const char *path, int search_path, char *const argv[], char *const envp[],
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

    // Each source is first copied above every target number (close-on-exec),
    // so a source that is also some target cannot be overwritten before its
    // own dup2; the copies are then dup2'd onto their targets, which clears
    // close-on-exec there. Every other descriptor of ours is close-on-exec.
    int copies[256];
    int made = 0;
    if (count > 256) return E2BIG;
    for (int i = 0; i < count && result == 0; i++) {
        if (sources[i] < 0) {
            copies[i] = -1;
            result = posix_spawn_file_actions_addclose(&actions, i);
            if (result == EBADF) result = 0;
            made = i + 1;
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
