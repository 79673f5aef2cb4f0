// SO_PEERCRED's struct ucred, which Swift's Glibc module hides behind
// _GNU_SOURCE. Everything else TTRPC needs from Linux comes from the
// package's shared layer (LinuxSupport).
#ifndef CTTRPC_LINUX_H
#define CTTRPC_LINUX_H

#include <stdint.h>

/// getsockopt(SO_PEERCRED); 0 on success, -1 with errno set.
int cttrpc_peer_credentials(int fd, int32_t *pid, uint32_t *uid, uint32_t *gid);

#endif
