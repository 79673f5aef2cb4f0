import CTTRPCLinux
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// What a connection tells its owner (the server side or the client side).
protocol FrameConnectionDelegate: AnyObject {
    func received(_ event: FrameDecoder.Event, on connection: FrameConnection)
    func closed(_ connection: FrameConnection, error: TTRPCError?)
}

/// A connected socket on an event loop: reads frames, buffers writes until
/// the socket takes them, closes once. Loop-confined.
final class FrameConnection: EventLoopWatcher, @unchecked Sendable {
    let fd: Int32
    let loop: EventLoop
    weak var delegate: (any FrameConnectionDelegate)?
    private var decoder = FrameDecoder()
    private var output: [UInt8] = []
    private var outputStart = 0
    private var watchingWrites = false
    private(set) var isClosed = false
    /// Close once the output buffer drains (graceful shutdown).
    private var closeWhenFlushed = false

    init(fd: Int32, loop: EventLoop) {
        self.fd = fd
        self.loop = loop
    }

    func start() throws(TTRPCError) {
        try loop.watch(fd, events: cttrpc_epollin | cttrpc_epollrdhup, self)
    }

    func ready(_ events: UInt32) {
        if events & cttrpc_epollout != 0 { flush() }
        if events & (cttrpc_epollin | cttrpc_epollhup | cttrpc_epollerr | cttrpc_epollrdhup) != 0 {
            readAvailable()
        }
    }

    private func readAvailable() {
        while !isClosed {
            let count = loop.readBuffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                decoder.append(loop.readBuffer[0..<count])
                while !isClosed, let event = decoder.next() {
                    delegate?.received(event, on: self)
                }
                if count < loop.readBuffer.count { return }
            } else if count == 0 {
                let truncated = decoder.isMidFrame
                close(error: truncated ? .closed("peer closed the connection in the middle of a frame") : nil)
                return
            } else {
                let error = Errno(rawValue: errno)
                if error == .interrupted { continue }
                if error == .resourceTemporarilyUnavailable { return }
                close(error: .system("read", error))
                return
            }
        }
    }

    /// Queues a frame and writes as much as the socket takes now.
    func send(type: FrameType, streamID: UInt32, flags: FrameFlags = [], payload: some Collection<UInt8>) {
        guard !isClosed else { return }
        FrameEncoder.append(type: type, streamID: streamID, flags: flags, payload: payload, to: &output)
        if !watchingWrites { flush() }
    }

    /// Bytes queued but not yet written.
    var pendingOutput: Int { output.count - outputStart }

    private func flush() {
        while outputStart < output.count {
            // send(2) with MSG_NOSIGNAL: a peer that went away must give
            // EPIPE, not a SIGPIPE that kills the process.
            let written = output.withUnsafeBytes { raw in
                Glibc.send(fd, raw.baseAddress.map { $0 + outputStart }, raw.count - outputStart, Int32(MSG_NOSIGNAL))
            }
            if written >= 0 {
                outputStart += written
                continue
            }
            let error = Errno(rawValue: errno)
            if error == .interrupted { continue }
            if error == .resourceTemporarilyUnavailable {
                setWatchingWrites(true)
                return
            }
            close(error: .system("write", error))
            return
        }
        output.removeAll(keepingCapacity: output.capacity <= 1 << 20)
        outputStart = 0
        setWatchingWrites(false)
        if closeWhenFlushed { close(error: nil) }
    }

    private func setWatchingWrites(_ on: Bool) {
        guard on != watchingWrites, !isClosed else { return }
        watchingWrites = on
        let events = cttrpc_epollin | cttrpc_epollrdhup | (on ? cttrpc_epollout : 0)
        loop.change(fd, events: events)
    }

    /// Closes after everything queued has been written.
    func closeAfterFlush() {
        if pendingOutput == 0 {
            close(error: nil)
        } else {
            closeWhenFlushed = true
        }
    }

    func close(error: TTRPCError?) {
        guard !isClosed else { return }
        isClosed = true
        loop.unwatch(fd)
        Glibc.close(fd)
        output = []
        delegate?.closed(self, error: error)
    }
}
