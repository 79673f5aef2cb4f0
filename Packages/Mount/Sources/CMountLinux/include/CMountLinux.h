// The new mount API (fsopen(2), fsconfig(2), fsmount(2), move_mount(2)) for
// overlays whose option string would not fit the one page mount(2) takes.
#ifndef CMOUNT_LINUX_H
#define CMOUNT_LINUX_H

/// Mounts an overlay at `target`, adding each lower directory with its own
/// fsconfig("lowerdir+") call (Linux 6.8 and later), then the `count` other
/// options (`key` or `key=value`). Returns 0, or -1 with errno set; on
/// failure `*failed_key` names the option the kernel refused (or NULL).
int cmount_overlay(const char *target, const char *const *lowers, int lower_count, const char *const *options, int count,
                   int read_only, const char **failed_key);

/// Whether `path` is the root of a mount, from statx(2)'s
/// STATX_ATTR_MOUNT_ROOT (Linux 5.8 and later), without following a final
/// symlink. Returns 1 or 0, or -1 with errno set: ENOTSUP when the kernel
/// does not report the attribute, or statx's own errno (ENOENT…).
int cmount_is_mount_root(const char *path);

#endif
