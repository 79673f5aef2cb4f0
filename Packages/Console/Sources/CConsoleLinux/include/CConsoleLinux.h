// Linux terminal and socket interfaces the Console library needs that Swift
// cannot call directly: variadic ioctl(2) for window sizes, the CMSG macros
// of SCM_RIGHTS, F_SETPIPE_SZ and splice(2). Descriptors, epoll(7) and
// the relay's loop come from the package's shared layer.
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

/// fcntl(F_SETPIPE_SZ): the pipe's capacity in bytes (rounded up by the kernel). The new size, or -1 with errno.
int cconsole_set_pipe_size(int fd, int size);
/// splice(2) with SPLICE_F_NONBLOCK | SPLICE_F_MOVE.
ssize_t cconsole_splice(int from, int to, size_t length);

#endif
