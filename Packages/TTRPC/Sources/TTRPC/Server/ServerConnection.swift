#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One accepted connection: decodes requests, runs handlers as tasks, sends
/// responses. Loop-confined, except where it hops back through the loop.
final class ServerConnection: FrameConnectionDelegate, @unchecked Sendable {
    private struct ActiveCall {
        var task: Task<Void, Never>?
        var timer: UInt64?
        var inbox: RawInbox?
        var serverStreams = false
    }

    let connection: FrameConnection
    /// Strong on purpose: the server's state lives while a connection does.
    private let core: ServerCore
    private let peer: PeerCredentials?
    private var lastStreamID: UInt32 = 0
    private var active: [UInt32: ActiveCall] = [:]
    private var draining = false

    init(connection: FrameConnection, core: ServerCore, peer: PeerCredentials?) {
        self.connection = connection
        self.core = core
        self.peer = peer
    }

    var isIdle: Bool { active.isEmpty }

    func received(_ event: FrameDecoder.Event, on connection: FrameConnection) {
        switch event {
        case .oversized(let header):
            // As Go's server: the bytes were discarded; say so on that stream.
            send(
                header.streamID,
                code: .resourceExhausted,
                message: "message length \(header.length) exceed maximum message size of \(FrameHeader.maximumPayload)")
        case .frame(let header, let payload):
            switch header.type {
            case .request: request(header, payload)
            case .data: data(header, payload)
            default: break  // Unknown types are ignored, as Go's server does.
            }
        }
    }

    private func request(_ header: FrameHeader, _ payload: [UInt8]) {
        let services = core.services
        let decision = RequestGate.decide(header: header, payload: payload, lastStreamID: lastStreamID, draining: draining) {
            service, method in services[service].map { $0.methods[method] != nil }
        }
        let id: UInt32
        let request: TTRPCRequest
        switch decision {
        case .reject(let streamID, let code, let message):
            // A rejected id still counts as used, as long as it was odd and new.
            if streamID % 2 == 1, streamID > lastStreamID { lastStreamID = streamID }
            send(streamID, code: code, message: message)
            return
        case .accept(let streamID, let accepted):
            id = streamID
            request = accepted
        }
        lastStreamID = id
        guard let method = services[request.service]?.methods[request.method] else { return }
        let deadline: UInt64? = request.timeoutNano > 0 ? EventLoop.now() &+ UInt64(request.timeoutNano) : nil
        let context = TTRPCCallContext(
            service: request.service, method: request.method, metadata: TTRPCMetadata(request.metadata),
            deadlineNanoseconds: deadline, peer: peer)
        var call = ActiveCall()
        let loop = connection.loop
        switch method {
        case .unary(let handler):
            let input = Array(request.payload)
            call.task = Task {
                let result: Result<[UInt8], any Error>
                do {
                    result = .success(try await handler(input, context))
                } catch {
                    result = .failure(error)
                }
                loop.execute { self.finish(id, result) }
            }
        case .stream(let handler):
            let inbox = RawInbox()
            if !handler.clientStreams || header.flags.contains(.remoteClosed) { inbox.finish() }
            call.inbox = inbox
            call.serverStreams = handler.serverStreams
            let first = Array(request.payload)
            let sender: @Sendable ([UInt8]) async throws(TTRPCError) -> Void = { bytes throws(TTRPCError) in
                try await self.sendData(id, bytes)
            }
            call.task = Task {
                let result: Result<[UInt8], any Error>
                do {
                    result = .success(try await handler.run(first, inbox, sender, context))
                } catch {
                    result = .failure(error)
                }
                loop.execute { self.finish(id, result) }
            }
        }
        if request.timeoutNano > 0 {
            call.timer = loop.schedule(afterNanoseconds: UInt64(request.timeoutNano)) { [weak self] in self?.expire(id) }
        }
        active[id] = call
        core.callStarted()
    }

    private func data(_ header: FrameHeader, _ payload: [UInt8]) {
        guard let inbox = active[header.streamID]?.inbox else { return }
        if !header.flags.contains(.noData) { inbox.deliver(payload) }
        if header.flags.contains(.remoteClosed) { inbox.finish() }
    }

    /// Sends a data frame from a handler; waits until the loop has queued it.
    private func sendData(_ id: UInt32, _ bytes: [UInt8]) async throws(TTRPCError) {
        let queued: Bool = await withCheckedContinuation { continuation in
            connection.loop.execute {
                guard self.active[id] != nil, !self.connection.isClosed else {
                    continuation.resume(returning: false)
                    return
                }
                self.connection.send(type: .data, streamID: id, payload: bytes)
                continuation.resume(returning: true)
            }
        }
        if !queued { throw TTRPCError.closed("stream \(id) is finished") }
    }

    private func finish(_ id: UInt32, _ result: Result<[UInt8], any Error>) {
        guard let call = active.removeValue(forKey: id) else { return }  // already answered (deadline)
        if let timer = call.timer { connection.loop.cancelTimer(timer) }
        call.inbox?.finish(.closed("call finished"))
        switch result {
        case .success(let payload):
            connection.send(type: .response, streamID: id, payload: ErrorStatus.response(code: .ok, message: "", payload: payload))
        case .failure(let error):
            let status = ErrorStatus.of(error)
            send(id, code: status.code, message: status.message)
        }
        core.callFinished()
        if draining, active.isEmpty { connection.closeAfterFlush() }
    }

    private func expire(_ id: UInt32) {
        guard let call = active.removeValue(forKey: id) else { return }
        call.task?.cancel()
        call.inbox?.finish(TTRPCError(code: .deadlineExceeded, message: "context deadline exceeded"))
        send(id, code: .deadlineExceeded, message: "context deadline exceeded")
        core.callFinished()
        if draining, active.isEmpty { connection.closeAfterFlush() }
    }

    private func send(_ id: UInt32, code: TTRPCCode, message: String) {
        connection.send(type: .response, streamID: id, payload: ErrorStatus.response(code: code, message: message))
    }

    /// Stops taking new calls; closes once the active ones are answered.
    func drain() {
        draining = true
        if active.isEmpty { connection.closeAfterFlush() }
    }

    func closed(_ connection: FrameConnection, error: TTRPCError?) {
        for call in active.values {
            call.task?.cancel()
            if let timer = call.timer { connection.loop.cancelTimer(timer) }
            call.inbox?.finish(.closed())
            core.callFinished()
        }
        active.removeAll()
        core.connectionClosed(self)
    }
}
