// Linux interfaces the Cgroups library needs that Swift's Glibc module does
// not expose cleanly: statfs(2) magic numbers and inotify(7). Descriptors,
// eventfd(2) and epoll(7) come from the package's shared layer.
#ifndef CCGROUPS_LINUX_H
#define CCGROUPS_LINUX_H

#include <stdint.h>

/// statfs(2) on `path`; the filesystem's f_type in `*magic`. 0, or -1 with errno.
int ccgroups_statfs_magic(const char *path, int64_t *magic);
/// CGROUP_SUPER_MAGIC (v1) and CGROUP2_SUPER_MAGIC (v2), TMPFS_MAGIC.
extern const int64_t ccgroups_cgroup_magic;
extern const int64_t ccgroups_cgroup2_magic;
extern const int64_t ccgroups_tmpfs_magic;

/// inotify_init1(IN_CLOEXEC | IN_NONBLOCK).
int ccgroups_inotify(void);
/// inotify_add_watch for modification, close-after-write, deletion and moves.
int ccgroups_inotify_watch(int fd, const char *path);
/// Drains pending inotify events; returns how many, or -1 with errno. Sets
/// `*gone` when a watched file was deleted or its watch removed (IN_IGNORED).
int ccgroups_inotify_drain(int fd, int *gone);

/// O_PATH, which Swift's Glibc module does not export.
extern const int ccgroups_o_path;
/// sysconf(_SC_CLK_TCK).
long ccgroups_clock_ticks(void);

#endif
