import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A swift-log handler writing one line per message to the `log` FIFO
/// containerd reads for each shim. Non-blocking: if containerd is not
/// reading and the pipe is full, the line is dropped rather than stalling the
/// shim. Every line carries the container id and namespace.
struct FIFOLogHandler: LogHandler {
    private let sink: LogSink
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level

    init(sink: LogSink, level: Logger.Level) {
        self.sink = sink
        self.logLevel = level
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var all = metadata
        if let extra = event.metadata { all.merge(extra) { $1 } }
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        var line = "time=\(time.tv_sec).\(threeDigits(Int(time.tv_nsec / 1_000_000))) level=\(event.level) msg=\"\(event.message)\""
        for key in all.keys.sorted() { line += " \(key)=\(all[key].map { "\($0)" } ?? "")" }
        sink.write(line + "\n")
    }
}

/// `value` as three digits (milliseconds).
private func threeDigits(_ value: Int) -> String {
    let text = String(value)
    return String(repeating: "0", count: max(0, 3 - text.count)) + text
}

/// Where log lines go: the `log` FIFO (opened read-write so opening never
/// blocks, then non-blocking), or nowhere.
final class LogSink: Sendable {
    private let fd: Int32

    init(path: String?) {
        guard let path else {
            fd = -1
            return
        }
        let opened = open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK)
        fd = opened
    }

    func write(_ line: String) {
        guard fd >= 0 else { return }
        var bytes = Array(line.utf8)
        if bytes.count > 4096 { bytes = Array(bytes.prefix(4095)) + [UInt8(ascii: "\n")] }  // one atomic pipe write
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    }
}
