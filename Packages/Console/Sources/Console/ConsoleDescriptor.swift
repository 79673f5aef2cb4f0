import CConsoleLinux
internal import LinuxSupport
import Synchronization
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

func currentErrno() -> Int32 { errno }

/// A file descriptor this library owns: closed exactly once, by ``close()``
/// or when the last reference goes. Every descriptor Console creates is
/// close-on-exec.
public final class ConsoleDescriptor: Sendable, CustomStringConvertible {
    private let state: Mutex<Int32>

    /// Takes ownership of `rawValue`.
    public init(taking rawValue: Int32) {
        state = Mutex(rawValue)
    }

    /// The descriptor number, or -1 once closed.
    public var rawValue: Int32 { state.withLock { $0 } }

    /// The same descriptor as swift-system's `FileDescriptor`, still owned by this value: do not close it.
    public var fileDescriptor: FileDescriptor { FileDescriptor(rawValue: rawValue) }

    /// A close-on-exec duplicate (F_DUPFD_CLOEXEC) owned separately.
    public func duplicate() throws(ConsoleError) -> ConsoleDescriptor {
        do {
            return ConsoleDescriptor(taking: try DescriptorFlags.duplicate(rawValue))
        } catch {
            throw ConsoleError(operation: "dup", errno: error)
        }
    }

    /// Sets O_NONBLOCK (on the open file description, shared with copies).
    func setNonBlocking() throws(ConsoleError) {
        do {
            try DescriptorFlags.setNonBlocking(rawValue)
        } catch {
            throw ConsoleError(operation: "fcntl O_NONBLOCK", errno: error)
        }
    }

    /// A pipe (pipe2 with O_CLOEXEC), both ends owned. With `capacity`,
    /// its buffer is resized with F_SETPIPE_SZ (up to
    /// /proc/sys/fs/pipe-max-size; a refusal keeps the default 64 KiB): a
    /// bigger pipe means fewer wake-ups for a relay draining a fast writer.
    public static func pipe(capacity: Int? = nil) throws(ConsoleError) -> (read: ConsoleDescriptor, write: ConsoleDescriptor) {
        let ends: (read: Int32, write: Int32)
        do {
            ends = try OwnedDescriptor.pipe().take()
        } catch {
            throw ConsoleError(operation: "pipe2", errno: error)
        }
        if let capacity { _ = cconsole_set_pipe_size(ends.write, Int32(clamping: capacity)) }
        return (ConsoleDescriptor(taking: ends.read), ConsoleDescriptor(taking: ends.write))
    }

    /// Gives up ownership: returns the descriptor, which the caller now closes; this value no longer will.
    public func release() -> Int32 {
        state.withLock { fd in
            defer { fd = -1 }
            return fd
        }
    }

    /// Closes now; later calls do nothing.
    public func close() {
        let fd = state.withLock { fd in
            defer { fd = -1 }
            return fd
        }
        if fd >= 0 { _ = systemClose(fd) }
    }

    deinit { close() }

    public var description: String { "fd \(rawValue)" }
}

/// close(2), outside the class whose `close` method would shadow it.
private func systemClose(_ fd: Int32) -> Int32 { close(fd) }
