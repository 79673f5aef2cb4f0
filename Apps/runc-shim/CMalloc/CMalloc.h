// glibc's malloc tuning interface (malloc_trim(3)), which the Glibc module
// does not include, and a helper that gives back the untouched-again part of
// a thread's stack.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <malloc.h>
#include <string.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include <fcntl.h>

/// The lowest address of the mapping in /proc/self/maps that contains
/// `address` (for the main thread: the [stack] mapping, as far down as the
/// stack ever grew). Reads with a buffer on the stack: no malloc. 0 when
/// not found.
static inline uintptr_t cmalloc_mapping_start(uintptr_t address) {
    int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    char buffer[4096];
    size_t held = 0;
    uintptr_t found = 0;
    for (;;) {
        ssize_t count = read(fd, buffer + held, sizeof buffer - held);
        if (count <= 0) break;
        held += (size_t)count;
        size_t line = 0;
        for (size_t i = 0; i < held; i++) {
            if (buffer[i] != '\n') continue;
            // "start-end perms ...": two hex numbers at the line's start.
            uintptr_t start = 0, end = 0;
            size_t j = line;
            while (j < i && buffer[j] != '-') {
                char c = buffer[j++];
                start = start * 16 + (uintptr_t)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
            }
            j++;
            while (j < i && buffer[j] != ' ') {
                char c = buffer[j++];
                end = end * 16 + (uintptr_t)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
            }
            if (start <= address && address < end) found = start;
            line = i + 1;
        }
        if (found != 0) break;
        // Keep the partial last line; a line longer than the buffer is dropped.
        if (line == 0) held = 0;
        else {
            memmove(buffer, buffer + line, held - line);
            held -= line;
        }
    }
    close(fd);
    return found;
}

/// Releases the pages of the calling thread's stack that lie more than
/// `keep` bytes below its current frame, with madvise(MADV_DONTNEED): for a
/// thread that once ran deep (decoding a bundle, say) and now idles
/// shallow. Only what is below the stack pointer is released, which no frame
/// uses; the next deep call faults zeroed pages back in. On the main thread
/// (whose bounds pthread_getattr_np(3) only estimates) the stack is the
/// mapping /proc/self/maps shows around the current frame.
/// Returns 0, or -1 with errno set.
static inline int cmalloc_release_unused_stack(size_t keep) {
    uintptr_t here = (uintptr_t)__builtin_frame_address(0);
    uintptr_t lowest = 0;
    if (getpid() == gettid()) {
        lowest = cmalloc_mapping_start(here);
        if (lowest == 0) return 0;
    } else {
        pthread_attr_t attributes;
        if (pthread_getattr_np(pthread_self(), &attributes) != 0) return -1;
        void *bottom = 0;
        size_t size = 0;
        int result = pthread_attr_getstack(&attributes, &bottom, &size);
        pthread_attr_destroy(&attributes);
        if (result != 0) return -1;
        lowest = (uintptr_t)bottom;
    }
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t start = (lowest + page - 1) & ~(page - 1);
    if (here < lowest + keep) return 0;
    uintptr_t end = (here - keep) & ~(page - 1);
    if (end <= start) return 0;
    return madvise((void *)start, end - start, MADV_DONTNEED);
}
