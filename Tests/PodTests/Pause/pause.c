/* The pod sandbox's process: holds the pod's namespaces and does nothing
 * else. It reaps any child re-parented to it (it is PID 1 of the pod's PID
 * namespace when the pod shares one) and exits 0 on SIGINT or SIGTERM.
 * Built static by the pod tests and packed as the sandbox image. */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void stop(int signal) {
    (void)signal;
    _exit(0);
}

static void reap(int signal) {
    (void)signal;
    while (waitpid(-1, NULL, WNOHANG) > 0) {
    }
}

int main(void) {
    struct sigaction action = {0};
    action.sa_handler = stop;
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
    action.sa_handler = reap;
    action.sa_flags = SA_NOCLDSTOP;
    sigaction(SIGCHLD, &action, NULL);
    for (;;) pause();
}
