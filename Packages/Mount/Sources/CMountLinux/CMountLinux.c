#define _GNU_SOURCE
#include "CMountLinux.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int config(int fd, unsigned int command, const char *key, const char *value) {
    return (int)syscall(SYS_fsconfig, fd, command, key, value, 0);
}

int cmount_overlay(const char *target, const char *const *lowers, int lower_count, const char *const *options, int count,
                   int read_only, const char **failed_key) {
    *failed_key = NULL;
    int fs = (int)syscall(SYS_fsopen, "overlay", FSOPEN_CLOEXEC);
    if (fs < 0) return -1;
    for (int i = 0; i < lower_count; i++) {
        if (config(fs, FSCONFIG_SET_STRING, "lowerdir+", lowers[i]) != 0) {
            *failed_key = "lowerdir+";
            goto fail;
        }
    }
    for (int i = 0; i < count; i++) {
        char *copy = strdup(options[i]);
        if (copy == NULL) goto fail;
        char *equals = strchr(copy, '=');
        int result;
        if (equals != NULL) {
            *equals = '\0';
            result = config(fs, FSCONFIG_SET_STRING, copy, equals + 1);
        } else {
            result = config(fs, FSCONFIG_SET_FLAG, copy, NULL);
        }
        if (result != 0) {
            int saved = errno;
            *failed_key = options[i];
            free(copy);
            errno = saved;
            goto fail;
        }
        free(copy);
    }
    if (config(fs, FSCONFIG_CMD_CREATE, NULL, NULL) != 0) goto fail;
    int mount_fd = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, read_only ? MOUNT_ATTR_RDONLY : 0);
    if (mount_fd < 0) goto fail;
    int moved = (int)syscall(SYS_move_mount, mount_fd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH);
    int saved = errno;
    close(mount_fd);
    close(fs);
    errno = saved;
    return moved;
fail: {
    int saved = errno;
    close(fs);
    errno = saved;
    return -1;
}
}

int cmount_is_mount_root(const char *path) {
    struct statx info;
    if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, STATX_TYPE, &info) != 0) return -1;
    if (!(info.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)) {
        errno = ENOTSUP;
        return -1;
    }
    return (info.stx_attributes & STATX_ATTR_MOUNT_ROOT) ? 1 : 0;
}
