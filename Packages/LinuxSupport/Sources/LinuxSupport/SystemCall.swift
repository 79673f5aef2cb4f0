import CLinuxSupport
import Synchronization
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The one way this package calls a system call that reports failure as
/// -1 and `errno`: interrupted calls (EINTR) are retried, any other failure
/// is thrown as an `Errno`. EBADF and EFAULT mean a descriptor or buffer
/// outlived its owner, a bug in the caller: debug builds trap on them.
///
/// Tests reach the error paths through ``injectFailures(_:)``, a seam that
/// makes this thread's next calls fail with the given errors first.
package enum SystemCall {
    /// Runs `call` until it does not fail with EINTR.
    @inline(__always)
    package static func retrying<Result: FixedWidthInteger & SignedInteger>(
        _ operation: StaticString, badDescriptorIsBug: Bool = true, _ call: () -> Result
    ) throws(Errno) -> Result {
        while true {
            let result: Result
            if let injected = FailureInjection.next() {
                errno = injected.rawValue
                result = -1
            } else {
                result = call()
            }
            if result >= 0 { return result }
            let error = Errno(rawValue: errno)
            if error == .interrupted { continue }
            assert(!badDescriptorIsBug || (error != .badFileDescriptor && error != .badAddress), "\(operation): \(error)")
            throw error
        }
    }

    /// Like ``retrying(_:badDescriptorIsBug:_:)``, for loops that branch on
    /// the errno (EAGAIN, EPIPE…): a failure other than EINTR is returned as
    /// -1 with `errno` set, as the call itself returns it.
    @inline(__always)
    package static func retryingInterrupts<Result: FixedWidthInteger & SignedInteger>(
        _ operation: StaticString, _ call: () -> Result
    ) -> Result {
        do {
            return try retrying(operation, call)
        } catch {
            errno = error.rawValue
            return -1
        }
    }

    /// Makes the calling thread's next ``retrying(_:badDescriptorIsBug:_:)``
    /// calls fail with `errors`, one per call, before any real call is made.
    /// For tests of EINTR, EAGAIN and EBUSY paths.
    package static func injectFailures(_ errors: [Errno]) {
        FailureInjection.set(errors)
    }

    /// How many injected failures the calling thread has not met yet.
    package static var injectedFailuresLeft: Int {
        FailureInjection.left()
    }
}

/// Failures queued per thread for ``SystemCall``; an atomic count keeps the
/// common case (nothing injected anywhere) to one relaxed load.
enum FailureInjection {
    private static let armed = Atomic<Int>(0)
    private static let queued = Mutex<[UInt: [Errno]]>([:])

    static func set(_ errors: [Errno]) {
        let thread = UInt(pthread_self())
        let delta = queued.withLock { table -> Int in
            let before = table[thread]?.count ?? 0
            table[thread] = errors.isEmpty ? nil : errors
            return errors.count - before
        }
        armed.add(delta, ordering: .relaxed)
    }

    static func left() -> Int {
        let thread = UInt(pthread_self())
        return queued.withLock { $0[thread]?.count ?? 0 }
    }

    @inline(__always)
    static func next() -> Errno? {
        guard armed.load(ordering: .relaxed) > 0 else { return nil }
        let thread = UInt(pthread_self())
        let error = queued.withLock { table -> Errno? in
            guard var list = table[thread], !list.isEmpty else { return nil }
            let first = list.removeFirst()
            table[thread] = list.isEmpty ? nil : list
            return first
        }
        if error != nil { armed.subtract(1, ordering: .relaxed) }
        return error
    }
}
