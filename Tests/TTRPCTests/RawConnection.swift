import SwiftProtobuf

@testable import TTRPC

#if canImport(Glibc)
    import Glibc
#endif

/// A plain blocking unix socket for sending hand-made bytes to a server and
/// reading what comes back; used where a well-behaved client cannot misbehave.
final class RawConnection {
    let fd: Int32
    private var decoder = FrameDecoder()

    init(path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else { throw TTRPCError(code: .unavailable, message: "connect failed", socketPath: path) }
    }

    deinit { close(fd) }

    func write(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written <= 0 { return }
            offset += written
        }
    }

    func sendFrame(_ id: UInt32, _ type: FrameType, flags: FrameFlags = [], _ payload: [UInt8]) {
        var bytes: [UInt8] = []
        FrameEncoder.append(type: type, streamID: id, flags: flags, payload: payload, to: &bytes)
        write(bytes)
    }

    func sendRequest(_ id: UInt32, service: String = EchoService.name, method: String = "Echo", _ message: TestEchoRequest) throws {
        var request = TTRPCRequest()
        request.service = service
        request.method = method
        request.payload = try message.serializedBytes()
        sendFrame(id, .request, try request.serializedBytes())
    }

    /// Waits for the socket to become readable without blocking a thread
    /// of the concurrency pool (the server's handlers need those threads).
    private func readable(within milliseconds: Int) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(milliseconds)
        while ContinuousClock.now < deadline {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&poller, 1, 0) == 1 { return true }
            try? await Task.sleep(for: .milliseconds(2))
        }
        return false
    }

    /// The next frame, or nil on EOF or after `timeout` milliseconds.
    func readFrame(timeout: Int = 10_000) async -> (FrameHeader, [UInt8])? {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            if case .frame(let header, let payload)? = decoder.next() { return (header, payload) }
            guard await readable(within: timeout) else { return nil }
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { return nil }
            decoder.append(buffer[0..<count])
        }
    }

    /// Reads a response frame and decodes it.
    func readResponse() async throws -> (UInt32, TTRPCResponse)? {
        guard let (header, payload) = await readFrame() else { return nil }
        return (header.streamID, try TTRPCResponse(serializedBytes: payload))
    }

    /// Whether the server closed the connection (EOF within the timeout).
    func isClosedByPeer(timeout: Int = 10_000) async -> Bool {
        guard await readable(within: timeout) else { return false }
        var byte: UInt8 = 0
        return read(fd, &byte, 1) == 0
    }
}
