// glibc's malloc tuning interface (malloc_trim(3)), which the Glibc module
// does not include, and a helper that gives back the untouched-again part of
// a thread's stack.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

/// Releases the pages of the calling thread's stack that lie more than
/// `keep` bytes below its current frame, with madvise(MADV_DONTNEED): for a
/// thread that once ran deep (decoding a bundle, say) and now idles
/// shallow. Only what is below the stack pointer is released, which no frame
/// uses; the next deep call faults zeroed pages back in. Does nothing on
/// the main thread, whose stack bounds pthread_getattr_np(3) only estimates.
/// Returns 0, or -1 with errno set.
static inline int cmalloc_release_unused_stack(size_t keep) {
    if (getpid() == gettid()) return 0;
    pthread_attr_t attributes;
    if (pthread_getattr_np(pthread_self(), &attributes) != 0) return -1;
    void *lowest = 0;
    size_t size = 0;
    int result = pthread_attr_getstack(&attributes, &lowest, &size);
    pthread_attr_destroy(&attributes);
    if (result != 0) return -1;
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t here = (uintptr_t)__builtin_frame_address(0);
    uintptr_t start = ((uintptr_t)lowest + page - 1) & ~(page - 1);
    if (here < (uintptr_t)lowest + keep) return 0;
    uintptr_t end = (here - keep) & ~(page - 1);
    if (end <= start) return 0;
    return madvise((void *)start, end - start, MADV_DONTNEED);
}
