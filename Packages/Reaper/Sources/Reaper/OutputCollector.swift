internal import LinuxSupport
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Feeds a child's stdin and collects its stdout and stderr on the reaper
/// thread. Loop-confined except ``result()``.
final class OutputCollector: @unchecked Sendable {
    private let loop: ReaperLoop
    private var stdinFD: Int32?
    private let input: [UInt8]
    private var inputOffset = 0
    private var readers: [Int32: Bool] = [:]  // fd -> is stderr
    private var stdout: [UInt8] = []
    private var stderr: [UInt8] = []
    private var finished = false
    private var continuation: CheckedContinuation<([UInt8], [UInt8]), Never>?
    var timer: ReactorTimer?
    /// After the child exits, how long to wait for its pipes to close.
    private let grace: UInt64 = 200_000_000

    init(loop: ReaperLoop, stdin: Int32?, input: [UInt8], stdout: Int32?, stderr: Int32?) {
        self.loop = loop
        self.stdinFD = stdin
        self.input = input
        if let stdout { readers[stdout] = false }
        if let stderr { readers[stderr] = true }
    }

    /// Registers the pipes. Loop only.
    func start() {
        for fd in readers.keys {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            do {
                try loop.reactor.watch(fd, .readable) { [unowned self] _ in self.readAvailable(fd) }
            } catch {
                // Not watchable (never for a pipe): give up on this stream.
                readers[fd] = nil
                close(fd)
            }
        }
        if let fd = stdinFD {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            if input.isEmpty {
                closeStdin()
            } else {
                do {
                    try loop.reactor.watch(fd, .writable) { [unowned self] _ in self.writeInput() }
                } catch {
                    closeStdin()
                }
            }
        }
    }

    private func writeInput() {
        guard let fd = stdinFD else { return }
        while inputOffset < input.count {
            let written = input.withUnsafeBytes { raw in
                SystemCall.retryingInterrupts("write") { write(fd, raw.baseAddress.map { $0 + inputOffset }, raw.count - inputOffset) }
            }
            if written > 0 {
                inputOffset += written
            } else if written < 0, errno == EAGAIN {
                return
            } else {
                break  // EPIPE: the child closed its stdin; stop feeding it.
            }
        }
        closeStdin()
    }

    private func closeStdin() {
        guard let fd = stdinFD else { return }
        loop.reactor.unwatch(fd)
        close(fd)
        stdinFD = nil
    }

    private func readAvailable(_ fd: Int32) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { raw in
                SystemCall.retryingInterrupts("read") { read(fd, raw.baseAddress, raw.count) }
            }
            if count > 0 {
                if readers[fd] == true { stderr += buffer[0..<count] } else { stdout += buffer[0..<count] }
                continue
            }
            if count < 0, errno == EAGAIN { return }
            // EOF or an error: this pipe is done.
            loop.reactor.unwatch(fd)
            close(fd)
            readers[fd] = nil
            if readers.isEmpty { finish() }
            return
        }
    }

    /// Completes once the pipes close, or `grace` after the child exited.
    func result() async -> ([UInt8], [UInt8]) {
        await withCheckedContinuation { continuation in
            loop.execute {
                if self.finished {
                    continuation.resume(returning: (self.stdout, self.stderr))
                    return
                }
                self.continuation = continuation
                if self.readers.isEmpty {
                    self.finish()
                } else {
                    self.loop.reactor.schedule(afterNanoseconds: self.grace) { [weak self] in self?.finish() }
                }
            }
        }
    }

    private func finish() {
        guard !finished else { return }
        for fd in Array(readers.keys) {
            readAvailable(fd)  // whatever is already in the pipe
            if readers[fd] != nil {
                loop.reactor.unwatch(fd)
                close(fd)
                readers[fd] = nil
            }
        }
        closeStdin()
        if let timer { loop.reactor.cancel(timer) }
        guard continuation != nil || readers.isEmpty else { return }
        finished = true
        continuation?.resume(returning: (stdout, stderr))
        continuation = nil
    }
}
