import SwiftProtobuf
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A ttrpc client on a unix socket: many concurrent calls on one
/// connection, stream ids odd and increasing by 2, deadlines sent as
/// `timeout_nano` and enforced locally, metadata. When the connection
/// drops, every call in flight fails with Unavailable; none hangs.
///
/// ```swift
/// let client = try TTRPCClient(connectingTo: "/run/containerd/containerd.sock.ttrpc")
/// let reply: ForwardResponse = try await client.call(
///     "containerd.services.events.ttrpc.v1.Events", "Forward", request,
///     metadata: ["containerd-namespace-ttrpc": "default"], timeout: .seconds(5))
/// ```
public final class TTRPCClient: Sendable {
    private let core: ClientCore
    private let closedFlag = Atomic<Bool>(false)

    /// Connects to the server listening at `path`.
    public convenience init(connectingTo path: String, loop: TTRPCEventLoop = .shared) throws(TTRPCError) {
        try loop.checkStarted()
        let fd = try UnixSocket.connect(path: path)
        try self.init(descriptor: fd, path: path, loop: loop)
    }

    /// Uses an already connected unix socket; the client owns it from now on.
    public convenience init(adoptingDescriptor fd: Int32, loop: TTRPCEventLoop = .shared) throws(TTRPCError) {
        try UnixSocket.prepareInherited(fd)
        try self.init(descriptor: fd, path: nil, loop: loop)
    }

    private init(descriptor fd: Int32, path: String?, loop: TTRPCEventLoop) throws(TTRPCError) {
        core = ClientCore(loop: loop, socketPath: path)
        let connection = FrameConnection(fd: fd, loop: loop)
        connection.delegate = core
        core.attach(connection)
        do {
            try connection.start()
        } catch {
            Glibc.close(fd)
            throw error
        }
    }

    deinit {
        let core = self.core
        core.loop.execute { core.close() }
    }

    /// Calls a unary method with protobuf messages.
    public func call<Request: Message, Response: Message>(
        _ service: String, _ method: String, _ request: Request, as type: Response.Type = Response.self,
        metadata: TTRPCMetadata = [:], timeout: Duration? = nil
    ) async throws(TTRPCError) -> Response {
        let payload: [UInt8]
        do {
            payload = try request.serializedBytes()
        } catch {
            throw TTRPCError(code: .internal, message: "ttrpc: cannot marshal request: \(error)")
        }
        let bytes = try await callRaw(service, method, payload: payload, metadata: metadata, timeout: timeout)
        do {
            return try Response(serializedBytes: bytes)
        } catch {
            throw TTRPCError(code: .internal, message: "ttrpc: cannot unmarshal response: \(error)")
        }
    }

    /// Calls a unary method with raw payload bytes.
    public func callRaw(
        _ service: String, _ method: String, payload: [UInt8], metadata: TTRPCMetadata = [:], timeout: Duration? = nil
    ) async throws(TTRPCError) -> [UInt8] {
        let request = Self.request(service, method, payload, metadata, timeout)
        let token = CallToken()
        let core = self.core
        let result: Result<[UInt8], TTRPCError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                core.start(request, flags: [], token: token, inbox: nil) { continuation.resume(returning: $0) }
            }
        } onCancel: {
            core.cancel(token)
        }
        return try result.get()
    }

    /// Calls a server-streaming method: one request, then the responses as
    /// they arrive. The sequence ends when the server finishes, and throws
    /// the server's error status if it fails.
    public func serverStream<Request: Message, Response: Message & Sendable>(
        _ service: String, _ method: String, _ request: Request, as type: Response.Type = Response.self,
        metadata: TTRPCMetadata = [:], timeout: Duration? = nil
    ) throws(TTRPCError) -> TTRPCStreamReader<Response> {
        let payload: [UInt8]
        do {
            payload = try request.serializedBytes()
        } catch {
            throw TTRPCError(code: .internal, message: "ttrpc: cannot marshal request: \(error)")
        }
        let open = openStream(service, method, payload: payload, flags: .remoteClosed, metadata: metadata, timeout: timeout)
        return TTRPCStreamReader(raw: open.inbox.stream)
    }

    /// Calls a client-streaming method: send requests, then ``TTRPCClientStreamingCall/finish()``
    /// for the single response.
    public func clientStream<Request: Message & Sendable, Response: Message & Sendable>(
        _ service: String, _ method: String, as types: (Request.Type, Response.Type) = (Request.self, Response.self),
        metadata: TTRPCMetadata = [:], timeout: Duration? = nil
    ) -> TTRPCClientStreamingCall<Request, Response> {
        let open = openStream(service, method, payload: [], flags: .remoteOpen, metadata: metadata, timeout: timeout)
        return TTRPCClientStreamingCall(stream: open)
    }

    /// Calls a bidirectional method: send and receive independently.
    public func bidirectionalStream<Request: Message & Sendable, Response: Message & Sendable>(
        _ service: String, _ method: String, as types: (Request.Type, Response.Type) = (Request.self, Response.self),
        metadata: TTRPCMetadata = [:], timeout: Duration? = nil
    ) -> TTRPCBidirectionalCall<Request, Response> {
        let open = openStream(service, method, payload: [], flags: .remoteOpen, metadata: metadata, timeout: timeout)
        return TTRPCBidirectionalCall(stream: open)
    }

    private func openStream(
        _ service: String, _ method: String, payload: [UInt8], flags: FrameFlags, metadata: TTRPCMetadata, timeout: Duration?
    ) -> OpenStream {
        let request = Self.request(service, method, payload, metadata, timeout)
        let token = CallToken()
        let inbox = RawInbox()
        let outcome = CallOutcome()
        let core = self.core
        core.start(request, flags: flags, token: token, inbox: inbox) { outcome.resolve($0) }
        return OpenStream(core: core, token: token, inbox: inbox, outcome: outcome)
    }

    /// Closes the connection; calls in flight fail with Unavailable.
    public func close() {
        closedFlag.store(true, ordering: .relaxed)
        let core = self.core
        core.loop.execute { core.close() }
    }

    /// Waits until the connection is closed, by either side.
    public func waitUntilClosed() async {
        let core = self.core
        await withCheckedContinuation { continuation in
            core.loop.execute { core.waitClosed(continuation) }
        }
    }

    private static func request(
        _ service: String, _ method: String, _ payload: [UInt8], _ metadata: TTRPCMetadata, _ timeout: Duration?
    ) -> TTRPCRequest {
        var request = TTRPCRequest()
        request.service = service
        request.method = method
        if !payload.isEmpty { request.payload = Data(payload) }
        request.metadata = metadata.keyValues
        if let timeout {
            let (seconds, attoseconds) = timeout.components
            let nanoseconds = seconds.multipliedReportingOverflow(by: 1_000_000_000)
            let total = nanoseconds.overflow ? Int64.max : nanoseconds.partialValue &+ attoseconds / 1_000_000_000
            request.timeoutNano = max(1, total)
        }
        return request
    }
}
