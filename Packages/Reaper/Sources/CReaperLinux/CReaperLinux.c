#define _GNU_SOURCE
#include "CReaperLinux.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int creaper_set_subreaper(int on) { return prctl(PR_SET_CHILD_SUBREAPER, on ? 1 : 0, 0, 0, 0); }

int creaper_is_subreaper(void) {
    int value = 0;
    if (prctl(PR_GET_CHILD_SUBREAPER, &value, 0, 0, 0) != 0) return -1;
    return value != 0;
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

int creaper_is_unreaped_child(pid_t pid) {
    siginfo_t info;
    memset(&info, 0, sizeof info);
    return waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0;
}

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
