#define _GNU_SOURCE
#include "CConsoleLinux.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

int cconsole_open_pty(char *name, size_t capacity) {
    int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0) return -1;
    if (grantpt(master) != 0 || unlockpt(master) != 0 || ptsname_r(master, name, capacity) != 0) {
        int saved = errno;
        close(master);
        errno = saved;
        return -1;
    }
    return master;
}

int cconsole_get_window_size(int fd, uint16_t *rows, uint16_t *columns, uint16_t *x_pixels, uint16_t *y_pixels) {
    struct winsize size;
    if (ioctl(fd, TIOCGWINSZ, &size) != 0) return -1;
    *rows = size.ws_row;
    *columns = size.ws_col;
    *x_pixels = size.ws_xpixel;
    *y_pixels = size.ws_ypixel;
    return 0;
}

int cconsole_set_window_size(int fd, uint16_t rows, uint16_t columns, uint16_t x_pixels, uint16_t y_pixels) {
    struct winsize size = {.ws_row = rows, .ws_col = columns, .ws_xpixel = x_pixels, .ws_ypixel = y_pixels};
    return ioctl(fd, TIOCSWINSZ, &size);
}

void cconsole_make_raw(struct termios *attributes) { cfmakeraw(attributes); }
const tcflag_t cconsole_echo = ECHO;
const tcflag_t cconsole_onlcr = ONLCR;
const tcflag_t cconsole_icanon = ICANON;

ssize_t cconsole_receive_fds(int socket, void *data, size_t length, int *fds, int *fd_count, int *truncated) {
    char control[CMSG_SPACE(4 * sizeof(int))];
    memset(control, 0, sizeof control);
    struct iovec iov = {.iov_base = data, .iov_len = length};
    struct msghdr message = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
    ssize_t n;
    do {
        n = recvmsg(socket, &message, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    *fd_count = 0;
    *truncated = (message.msg_flags & MSG_CTRUNC) ? 1 : 0;
    if (n < 0) return -1;
    for (struct cmsghdr *header = CMSG_FIRSTHDR(&message); header; header = CMSG_NXTHDR(&message, header)) {
        if (header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_RIGHTS) continue;
        int count = (int)((header->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        for (int i = 0; i < count && *fd_count < 4; i++) memcpy(&fds[(*fd_count)++], CMSG_DATA(header) + i * sizeof(int), sizeof(int));
    }
    return n;
}

ssize_t cconsole_send_fd(int socket, const void *data, size_t length, int fd) {
    char control[CMSG_SPACE(sizeof(int))];
    memset(control, 0, sizeof control);
    struct iovec iov = {.iov_base = (void *)data, .iov_len = length};
    struct msghdr message = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
    struct cmsghdr *header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(header), &fd, sizeof(int));
    return sendmsg(socket, &message, MSG_NOSIGNAL);
}


ssize_t cconsole_splice(int from, int to, size_t length) {
    return splice(from, NULL, to, NULL, length, SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
}

int cconsole_set_pipe_size(int fd, int size) { return fcntl(fd, F_SETPIPE_SZ, size); }
