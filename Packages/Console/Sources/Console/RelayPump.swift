import CConsoleLinux
internal import LinuxSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// One stream's state, touched only on the relay thread after it is handed
/// over: the two descriptors, the bounded buffer and how far it got.
final class RelayPump: @unchecked Sendable {
    let id: UInt64
    private let source: ConsoleDescriptor
    private let destination: ConsoleDescriptor
    private var buffer: RelayBuffer
    private let stream: RelayStream
    private var sourceEnded = false
    private var moved: UInt64 = 0
    private(set) var isDone = false
    /// splice(2) from a pipe source, with no copy through user space; off
    /// for other sources, and after the kernel refuses a pair (EINVAL).
    private var splicing: Bool

    init(id: UInt64, source: ConsoleDescriptor, destination: ConsoleDescriptor, bufferSize: Int, stream: RelayStream) {
        self.id = id
        self.source = source
        self.destination = destination
        self.stream = stream
        buffer = RelayBuffer(capacity: bufferSize)
        var info = stat()
        splicing = fstat(source.rawValue, &info) == 0 && (info.st_mode & S_IFMT) == S_IFIFO
    }

    private var reactor: Reactor?

    /// Watches both descriptors, edge-triggered, calling `ready` on either's
    /// readiness. A regular file (EPERM) is always ready and needs no watch.
    func register(on reactor: Reactor, ready: @escaping () -> Void) {
        self.reactor = reactor
        do {
            try reactor.watch(source.rawValue, [.readable, .edgeTriggered]) { _ in ready() }
        } catch  where error != .notPermitted {
            finish(error: ConsoleError(operation: "epoll_ctl", path: "relay source", errno: error))
            return
        } catch {}
        do {
            try reactor.watch(destination.rawValue, [.writable, .edgeTriggered]) { _ in ready() }
        } catch  where error != .notPermitted {
            finish(error: ConsoleError(operation: "epoll_ctl", path: "relay destination", errno: error))
        } catch {}
    }

    /// Stops reading; what was read is still written out.
    func beginStop() {
        guard !isDone, !sourceEnded else { return }
        if splicing {
            // Spliced bytes never pass through the buffer: what the source pipe
            // already holds counts as read, and is flushed like buffered bytes.
            splicing = false
            _ = buffer.fill { space in read(source.rawValue, space.baseAddress, space.count) }
        }
        sourceEnded = true
        run()
    }

    /// Writes what is buffered and reads what is ready, until neither can go on.
    func run() {
        guard !isDone else { return }
        if splicing, buffer.isEmpty, !sourceEnded {
            guard spliceAll() else { return }
        }
        while true {
            var progressed = false
            while !buffer.isEmpty {
                let written = buffer.drain { bytes in
                    SystemCall.retryingInterrupts("write") { write(destination.rawValue, bytes.baseAddress, bytes.count) }
                }
                if written > 0 {
                    moved += UInt64(written)
                    progressed = true
                    continue
                }
                let code = currentErrno()
                if code == EAGAIN { break }
                finish(error: ConsoleError(operation: "write", path: "relay destination", errno: .init(rawValue: code)))
                return
            }
            if !sourceEnded, !buffer.isFull {
                let count = buffer.fill { space in
                    SystemCall.retryingInterrupts("read") { read(source.rawValue, space.baseAddress, space.count) }
                }
                if count > 0 {
                    progressed = true
                } else if count == 0 {
                    sourceEnded = true
                } else {
                    let code = currentErrno()
                    if code == EIO {
                        // A pty master reads EIO once the slave side has no more holders.
                        sourceEnded = true
                    } else if code != EAGAIN {
                        finish(error: ConsoleError(operation: "read", path: "relay source", errno: .init(rawValue: code)))
                        return
                    }
                }
            }
            if sourceEnded && buffer.isEmpty {
                finish(error: nil)
                return
            }
            if !progressed { return }
        }
    }

    /// Splices until the source is empty or ended or the destination is
    /// full. Returns false when done for now, true to go on with read/write
    /// (the kernel cannot splice this pair, or the stream must end).
    private func spliceAll() -> Bool {
        while true {
            let count = SystemCall.retryingInterrupts("splice") { cconsole_splice(source.rawValue, destination.rawValue, 1 << 20) }
            if count > 0 {
                moved += UInt64(count)
                continue
            }
            if count == 0 {
                sourceEnded = true
                return true
            }
            switch currentErrno() {
            case EAGAIN:
                return false
            case EINVAL, ENOSYS, EBADF:
                splicing = false
                return true
            default:
                // Let the read/write path report the failure of the side concerned.
                splicing = false
                return true
            }
        }
    }

    func finish(error: ConsoleError?) {
        guard !isDone else { return }
        isDone = true
        // Out of epoll before closing: the caller's copies keep the open file
        // description, and with it the registration, alive otherwise.
        reactor?.unwatch(source.rawValue)
        reactor?.unwatch(destination.rawValue)
        source.close()
        destination.close()
        stream.complete(RelayResult(bytesMoved: moved, bytesDropped: UInt64(buffer.count), error: error))
    }
}
