internal import LinuxSupport
import Synchronization
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// What a connection tells its owner (the server side or the client side).
/// Both calls arrive on the loop thread.
protocol FrameConnectionDelegate: AnyObject, Sendable {
    func received(_ event: FrameDecoder.Event, on connection: FrameConnection)
    func closed(_ connection: FrameConnection, error: TTRPCError?)
}

/// A connected socket on an event loop.
///
/// Reading is loop-confined. Sending is allowed from any thread: a frame is
/// written straight to the socket from the sender's thread when nothing is
/// queued (no hand-off to the loop, no copy), and only what the socket does
/// not take at once is queued and flushed by the loop when it becomes
/// writable. The descriptor is closed only on the loop, under the send lock,
/// so no thread ever writes to a closed or reused descriptor.
final class FrameConnection: EventLoopWatcher, @unchecked Sendable {
    private struct Output {
        var bytes: [UInt8] = []
        var start = 0
        var watchingWrites = false
        var closed = false
        var failed: TTRPCError?
        var closeWhenFlushed = false
        var pending: Int { bytes.count - start }
    }

    let fd: Int32
    let loop: TTRPCEventLoop
    weak var delegate: (any FrameConnectionDelegate)?
    private var decoder = FrameDecoder()  // loop-confined
    private let output = Mutex(Output())
    private let closedFlag = Atomic<Bool>(false)

    init(fd: Int32, loop: TTRPCEventLoop) {
        self.fd = fd
        self.loop = loop
    }

    var isClosed: Bool { closedFlag.load(ordering: .acquiring) }

    func start() throws(TTRPCError) {
        try loop.watch(fd, events: [.readable, .readHangup], self)
    }

    func ready(_ events: ReactorEvents) {
        if events.contains(.writable) { flush() }
        if !events.isDisjoint(with: [.readable, .hangup, .error, .readHangup]) {
            readAvailable()
        }
    }

    private func readAvailable() {
        while !isClosed {
            let buffer = loop.readBuffer
            let count = SystemCall.retryingInterrupts("read") { Glibc.read(fd, buffer.baseAddress, buffer.count) }
            if count > 0 {
                decoder.append(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                while !isClosed, let event = decoder.next() {
                    delegate?.received(event, on: self)
                }
                if count < buffer.count { return }
            } else if count == 0 {
                close(error: decoder.isMidFrame ? .closed("peer closed the connection in the middle of a frame") : nil)
                return
            } else {
                let error = Errno(rawValue: errno)
                if error == .resourceTemporarilyUnavailable { return }
                close(error: .system("read", error))
                return
            }
        }
    }

    /// Sends a frame from any thread; false when the connection is closed.
    @discardableResult
    func send(type: FrameType, streamID: UInt32, flags: FrameFlags = [], payload: [UInt8]) -> Bool {
        send(type: type, streamID: streamID, flags: flags, prefix: [], payload: payload)
    }

    /// Sends a frame whose payload is `prefix` followed by `payload`, without
    /// joining them first (one writev(2)); false when the connection is closed.
    @discardableResult
    func send(type: FrameType, streamID: UInt32, flags: FrameFlags = [], prefix: [UInt8], payload: [UInt8]) -> Bool {
        var header: [UInt8] = []
        header.reserveCapacity(FrameHeader.size + prefix.count)
        FrameHeader(length: UInt32(truncatingIfNeeded: prefix.count + payload.count), streamID: streamID, type: type, flags: flags)
            .append(to: &header)
        header += prefix
        var failure: TTRPCError?
        let sent = output.withLock { state -> Bool in
            guard !state.closed, state.failed == nil else { return false }
            var written = 0
            if state.pending == 0 {
                written = Self.writeVector(fd, header, payload)
                if written < 0 {
                    let error = Errno(rawValue: Int32(-written))
                    state.failed = .system("write", error)
                    failure = state.failed
                    return false
                }
                if written == header.count + payload.count { return true }
            }
            if written < header.count {
                state.bytes.append(contentsOf: header[written...])
                state.bytes.append(contentsOf: payload)
            } else {
                state.bytes.append(contentsOf: payload[(written - header.count)...])
            }
            if !state.watchingWrites {
                state.watchingWrites = true
                loop.change(fd, events: [.readable, .readHangup, .writable])
            }
            return true
        }
        if let failure { loop.execute { self.close(error: failure) } }
        return sent
    }

    /// sendmsg(2) of header and payload, retrying EINTR; the byte count, 0 on
    /// EAGAIN, or a negative errno. MSG_NOSIGNAL semantics via sendmsg(2),
    /// so a vanished peer gives EPIPE rather than SIGPIPE.
    private static func writeVector(_ fd: Int32, _ header: [UInt8], _ payload: [UInt8]) -> Int {
        header.withUnsafeBytes { head in
            payload.withUnsafeBytes { body in
                var vectors = [
                    iovec(iov_base: UnsafeMutableRawPointer(mutating: head.baseAddress), iov_len: head.count),
                    iovec(iov_base: UnsafeMutableRawPointer(mutating: body.baseAddress), iov_len: body.count),
                ]
                return vectors.withUnsafeMutableBufferPointer { buffer in
                    var message = msghdr()
                    message.msg_iov = buffer.baseAddress
                    message.msg_iovlen = body.count == 0 ? 1 : 2
                    let result = SystemCall.retryingInterrupts("sendmsg") { sendmsg(fd, &message, Int32(MSG_NOSIGNAL)) }
                    if result >= 0 { return result }
                    if errno == EAGAIN || errno == EWOULDBLOCK { return 0 }
                    return -Int(errno)
                }
            }
        }
    }

    /// Writes queued bytes; on the loop when the socket became writable.
    private func flush() {
        var failure: TTRPCError?
        let closeNow = output.withLock { state -> Bool in
            while state.pending > 0 {
                let written = state.bytes.withUnsafeBytes { raw in
                    SystemCall.retryingInterrupts("send") {
                        Glibc.send(fd, raw.baseAddress.map { $0 + state.start }, raw.count - state.start, Int32(MSG_NOSIGNAL))
                    }
                }
                if written >= 0 {
                    state.start += written
                    continue
                }
                let error = Errno(rawValue: errno)
                if error == .resourceTemporarilyUnavailable { return false }
                failure = .system("write", error)
                return false
            }
            state.bytes.removeAll(keepingCapacity: state.bytes.capacity <= 1 << 20)
            state.start = 0
            if state.watchingWrites {
                state.watchingWrites = false
                loop.change(fd, events: [.readable, .readHangup])
            }
            return state.closeWhenFlushed
        }
        if let failure {
            close(error: failure)
        } else if closeNow {
            close(error: nil)
        }
    }

    /// Closes after everything queued has been written. Loop only.
    func closeAfterFlush() {
        let now = output.withLock { state -> Bool in
            if state.pending == 0 { return true }
            state.closeWhenFlushed = true
            return false
        }
        if now { close(error: nil) }
    }

    /// Closes the socket and tells the delegate. Loop only.
    func close(error: TTRPCError?) {
        let first = output.withLock { state -> Bool in
            guard !state.closed else { return false }
            state.closed = true
            closedFlag.store(true, ordering: .releasing)
            loop.unwatch(fd)
            Glibc.close(fd)
            state.bytes = []
            state.start = 0
            return true
        }
        if first { delegate?.closed(self, error: error) }
    }
}
