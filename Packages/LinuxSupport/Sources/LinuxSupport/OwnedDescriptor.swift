import CLinuxSupport
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A file descriptor with one owner, closed with close(2) when the owner
/// goes away. Non-copyable: handing it on is a move (`consume`), and
/// ``take()`` gives up ownership explicitly, so a descriptor is never
/// closed twice nor leaked by accident.
package struct OwnedDescriptor: ~Copyable, Sendable {
    /// The descriptor number, for calls made while this value is alive.
    package let rawValue: Int32

    /// Takes ownership of `rawValue`, which must be open.
    package init(taking rawValue: Int32) {
        self.rawValue = rawValue
    }

    deinit {
        close(rawValue)
    }

    /// Gives up ownership: the caller now closes the descriptor.
    package consuming func take() -> Int32 {
        let raw = rawValue
        discard self
        return raw
    }

    /// A close-on-exec duplicate (fcntl F_DUPFD_CLOEXEC), owned separately.
    package borrowing func duplicate() throws(Errno) -> OwnedDescriptor {
        OwnedDescriptor(taking: try DescriptorFlags.duplicate(rawValue))
    }

    /// Sets or clears O_NONBLOCK (a flag of the open file description,
    /// shared with every duplicate).
    package borrowing func setNonBlocking(_ on: Bool = true) throws(Errno) {
        try DescriptorFlags.setNonBlocking(rawValue, on)
    }

    /// A pipe (pipe2(2) with O_CLOEXEC): its read and write ends.
    package static func pipe() throws(Errno) -> PipeEnds {
        var ends: (Int32, Int32) = (-1, -1)
        _ = try withUnsafeMutableBytes(of: &ends) { (raw) throws(Errno) -> Int32 in
            let fds = raw.baseAddress?.assumingMemoryBound(to: Int32.self)
            return try SystemCall.retrying("pipe2") { clinux_pipe(fds) }
        }
        return PipeEnds(read: OwnedDescriptor(taking: ends.0), write: OwnedDescriptor(taking: ends.1))
    }

    /// An eventfd(2) counter, non-blocking and close-on-exec.
    package static func eventCounter() throws(Errno) -> OwnedDescriptor {
        OwnedDescriptor(taking: try SystemCall.retrying("eventfd") { clinux_eventfd() })
    }

    /// Adds one to an eventfd(2) counter; a full counter (EAGAIN) already
    /// wakes its reader, so that is not an error.
    package borrowing func signalEvent() {
        var one: UInt64 = 1
        _ = withUnsafeBytes(of: &one) { write(rawValue, $0.baseAddress, 8) }
    }

    /// Reads and resets an eventfd(2) or timerfd(2) counter; 0 when none.
    @discardableResult
    package borrowing func readCounter() -> UInt64 {
        var value: UInt64 = 0
        let count = withUnsafeMutableBytes(of: &value) { read(rawValue, $0.baseAddress, 8) }
        return count == 8 ? value : 0
    }
}

/// The two ends of a pipe, each owned; take them apart with `consume`.
package struct PipeEnds: ~Copyable, Sendable {
    package var read: OwnedDescriptor
    package var write: OwnedDescriptor

    /// Gives up ownership of both ends: the caller now closes them.
    package consuming func take() -> (read: Int32, write: Int32) {
        (read.take(), write.take())
    }
}

/// fcntl(2) on descriptors someone else owns.
package enum DescriptorFlags {
    /// fcntl(F_DUPFD_CLOEXEC): a close-on-exec duplicate the caller owns,
    /// numbered 3 or above (a process whose stdio is closed must not see a
    /// copy take the place of its stdin, stdout or stderr).
    package static func duplicate(_ fd: Int32) throws(Errno) -> Int32 {
        try SystemCall.retrying("fcntl(F_DUPFD_CLOEXEC)") { clinux_dup(fd) }
    }

    /// Sets or clears O_NONBLOCK (a flag of the open file description,
    /// shared with every duplicate).
    package static func setNonBlocking(_ fd: Int32, _ on: Bool = true) throws(Errno) {
        _ = try SystemCall.retrying("fcntl(F_SETFL)") { clinux_set_nonblocking(fd, on ? 1 : 0) }
    }
}
