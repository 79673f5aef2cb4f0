// Linux terminal and socket interfaces the Console library needs that Swift
// cannot call directly: variadic ioctl(2) for window sizes, the CMSG macros
// of SCM_RIGHTS, epoll(7)'s packed event struct, pipe2(2) and splice(2).
#ifndef CCONSOLE_LINUX_H
#define CCONSOLE_LINUX_H

#include <stdint.h>
#include <sys/types.h>
#include <termios.h>

/// posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC), grantpt, unlockpt and the
/// slave's name (ptsname_r) into `name` (`capacity` bytes). The master fd, or -1 with errno.
int cconsole_open_pty(char *name, size_t capacity);

/// TIOCGWINSZ / TIOCSWINSZ. 0, or -1 with errno.
int cconsole_get_window_size(int fd, uint16_t *rows, uint16_t *columns, uint16_t *x_pixels, uint16_t *y_pixels);
int cconsole_set_window_size(int fd, uint16_t rows, uint16_t columns, uint16_t x_pixels, uint16_t y_pixels);

/// cfmakeraw(3) on `attributes`.
void cconsole_make_raw(struct termios *attributes);
/// Flag bits Swift cannot see as constants of the right type.
extern const tcflag_t cconsole_echo;
extern const tcflag_t cconsole_onlcr;
extern const tcflag_t cconsole_icanon;

/// Receives one message on `socket` with room for up to 4 descriptors.
/// Returns the byte count (0 at EOF) or -1 with errno; the descriptors
/// received (made close-on-exec with MSG_CMSG_CLOEXEC) in `fds`, their count
/// in `*fd_count`, and `*truncated` set when the kernel cut the control data.
ssize_t cconsole_receive_fds(int socket, void *data, size_t length, int *fds, int *fd_count, int *truncated);
/// Sends `data` and one descriptor (what runc does with --console-socket).
ssize_t cconsole_send_fd(int socket, const void *data, size_t length, int fd);

/// epoll_create1(EPOLL_CLOEXEC) and edge-triggered registrations with `token` as data.
int cconsole_epoll_create(void);
int cconsole_epoll_add(int epfd, int fd, int readable, uint64_t token);
int cconsole_epoll_delete(int epfd, int fd);
/// epoll_wait(2): tokens and whether each event is readable/writable/error or hangup.
int cconsole_epoll_wait(int epfd, uint64_t *tokens, uint32_t *flags, int capacity, int timeout_ms);
extern const uint32_t cconsole_flag_in;
extern const uint32_t cconsole_flag_out;
extern const uint32_t cconsole_flag_hangup;

/// eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK).
int cconsole_eventfd(void);
/// A CLOCK_MONOTONIC timerfd, non-blocking and close-on-exec.
int cconsole_timerfd(void);
/// Fires once `after_ns` from now; a negative value disarms it.
int cconsole_timerfd_arm(int fd, int64_t after_ns);
/// pipe2(O_CLOEXEC).
int cconsole_pipe(int fds[2]);
/// fcntl(F_SETPIPE_SZ): the pipe's capacity in bytes (rounded up by the kernel). The new size, or -1 with errno.
int cconsole_set_pipe_size(int fd, int size);
/// Sets or clears O_NONBLOCK. 0, or -1 with errno.
int cconsole_set_nonblocking(int fd, int on);
/// fcntl(F_DUPFD_CLOEXEC).
int cconsole_dup(int fd);
/// splice(2) with SPLICE_F_NONBLOCK | SPLICE_F_MOVE.
ssize_t cconsole_splice(int from, int to, size_t length);
/// accept4(fd, NULL, NULL, SOCK_CLOEXEC).
int cconsole_accept(int fd);
/// Names the calling thread.
void cconsole_name_thread(const char *name);

#endif
