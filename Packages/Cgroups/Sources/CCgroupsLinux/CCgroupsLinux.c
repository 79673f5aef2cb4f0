#define _GNU_SOURCE
#include "CCgroupsLinux.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/inotify.h>
#include <sys/vfs.h>
#include <unistd.h>

const int64_t ccgroups_cgroup_magic = CGROUP_SUPER_MAGIC;
const int64_t ccgroups_cgroup2_magic = CGROUP2_SUPER_MAGIC;
const int64_t ccgroups_tmpfs_magic = TMPFS_MAGIC;

int ccgroups_statfs_magic(const char *path, int64_t *magic) {
    struct statfs info;
    if (statfs(path, &info) != 0) return -1;
    *magic = (int64_t)info.f_type;
    return 0;
}

int ccgroups_inotify(void) { return inotify_init1(IN_CLOEXEC | IN_NONBLOCK); }

int ccgroups_inotify_watch(int fd, const char *path) {
    return inotify_add_watch(fd, path, IN_MODIFY | IN_CLOSE_WRITE | IN_DELETE_SELF | IN_MOVE_SELF);
}

int ccgroups_inotify_drain(int fd, int *gone) {
    char buffer[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    int count = 0;
    for (;;) {
        ssize_t n = read(fd, buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) return count;
            return -1;
        }
        if (n == 0) return count;
        for (char *p = buffer; p < buffer + n;) {
            const struct inotify_event *event = (const struct inotify_event *)p;
            if (event->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) *gone = 1;
            count++;
            p += sizeof(struct inotify_event) + event->len;
        }
    }
}

long ccgroups_clock_ticks(void) { return sysconf(_SC_CLK_TCK); }

const int ccgroups_o_path = O_PATH;
