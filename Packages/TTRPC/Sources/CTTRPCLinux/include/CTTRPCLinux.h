// Thin wrappers over Linux interfaces that Swift's Glibc module does not
// expose: epoll(7) (whose struct is packed on x86_64), eventfd(2), and
// SO_PEERCRED's struct ucred (which needs _GNU_SOURCE).
#ifndef CTTRPC_LINUX_H
#define CTTRPC_LINUX_H

#include <stdint.h>

// Event bits, as epoll(7) defines them.
extern const uint32_t cttrpc_epollin;
extern const uint32_t cttrpc_epollout;
extern const uint32_t cttrpc_epollerr;
extern const uint32_t cttrpc_epollhup;
extern const uint32_t cttrpc_epollrdhup;

/// epoll_create1(EPOLL_CLOEXEC).
int cttrpc_epoll_create(void);
/// epoll_ctl(EPOLL_CTL_ADD / MOD / DEL) with the fd as the event's data.
int cttrpc_epoll_add(int epfd, int fd, uint32_t events);
int cttrpc_epoll_modify(int epfd, int fd, uint32_t events);
int cttrpc_epoll_delete(int epfd, int fd);
/// epoll_wait(2), returning ready fds and their events in two arrays.
int cttrpc_epoll_wait(int epfd, int *fds, uint32_t *events, int capacity, int timeout_ms);
/// accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK).
int cttrpc_accept(int fd);
/// Names the calling thread (prctl PR_SET_NAME), as `top -H` shows it.
void cttrpc_name_thread(const char *name);
/// eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK).
int cttrpc_eventfd(void);
/// getsockopt(SO_PEERCRED); 0 on success, -1 with errno set.
int cttrpc_peer_credentials(int fd, int32_t *pid, uint32_t *uid, uint32_t *gid);

#endif
