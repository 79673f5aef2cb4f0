internal import LinuxSupport
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One accepted connection: decodes requests on the loop, runs each
/// handler as a task, and sends the response from that task's thread.
final class ServerConnection: FrameConnectionDelegate, @unchecked Sendable {
    private struct ActiveCall {
        var task: Task<Void, Never>?
        var timer: ReactorTimer?
        var inbox: RawInbox?
    }

    private struct State {
        var lastStreamID: UInt32 = 0
        var active: [UInt32: ActiveCall] = [:]
        var draining = false
    }

    let connection: FrameConnection
    /// Strong on purpose: the server's state lives while a connection does.
    private let core: ServerCore
    private let peer: PeerCredentials?
    private let state = Mutex(State())

    init(connection: FrameConnection, core: ServerCore, peer: PeerCredentials?) {
        self.connection = connection
        self.core = core
        self.peer = peer
    }

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
        let (last, draining) = state.withLock { ($0.lastStreamID, $0.draining) }
        let decision = RequestGate.decide(header: header, payload: payload, lastStreamID: last, draining: draining) {
            service, method in services[service].map { $0.methods[method] != nil }
        }
        let id: UInt32
        let request: TTRPCRequest
        switch decision {
        case .reject(let streamID, let code, let message):
            // A rejected id still counts as used, as long as it was odd and new.
            if streamID % 2 == 1, streamID > last { state.withLock { $0.lastStreamID = streamID } }
            send(streamID, code: code, message: message)
            return
        case .accept(let streamID, let accepted):
            id = streamID
            request = accepted
        }
        guard let method = services[request.service]?.methods[request.method] else { return }
        let deadline: UInt64? = request.timeoutNano > 0 ? TTRPCEventLoop.now() &+ UInt64(request.timeoutNano) : nil
        let context = TTRPCCallContext(
            service: request.service, method: request.method, metadata: TTRPCMetadata(request.metadata),
            deadlineNanoseconds: deadline, peer: peer)
        var call = ActiveCall()
        var inbox: RawInbox?
        if case .stream(let handler) = method {
            let streamInbox = RawInbox()
            if !handler.clientStreams || header.flags.contains(.remoteClosed) { streamInbox.finish() }
            call.inbox = streamInbox
            inbox = streamInbox
        }
        if request.timeoutNano > 0 {
            call.timer = connection.loop.schedule(afterNanoseconds: UInt64(request.timeoutNano)) { [weak self] in
                self?.expire(id)
            }
        }
        // Registered before the task starts, so a fast handler finds its call.
        state.withLock {
            $0.lastStreamID = id
            $0.active[id] = call
        }
        core.callStarted()
        let input = request.payload
        let task: Task<Void, Never>
        let executor = connection.loop
        switch method {
        case .unary(let handler):
            task = Task(executorPreference: executor) {
                let result: Result<[UInt8], any Error>
                do {
                    result = .success(try await handler(input, context))
                } catch {
                    result = .failure(error)
                }
                self.finish(id, result)
            }
        case .stream(let handler):
            let sender: @Sendable ([UInt8]) async throws(TTRPCError) -> Void = { bytes throws(TTRPCError) in
                try self.sendData(id, bytes)
            }
            let streamInbox = inbox ?? RawInbox()
            task = Task(executorPreference: executor) {
                let result: Result<[UInt8], any Error>
                do {
                    result = .success(try await handler.run(input, streamInbox, sender, context))
                } catch {
                    result = .failure(error)
                }
                self.finish(id, result)
            }
        }
        state.withLock { $0.active[id]?.task = task }
    }

    private func data(_ header: FrameHeader, _ payload: [UInt8]) {
        guard let inbox = state.withLock({ $0.active[header.streamID]?.inbox }) else { return }
        if !header.flags.contains(.noData) { inbox.deliver(payload) }
        if header.flags.contains(.remoteClosed) { inbox.finish() }
    }

    /// Sends a data frame of a streaming handler.
    private func sendData(_ id: UInt32, _ bytes: [UInt8]) throws(TTRPCError) {
        let sent = state.withLock { state in
            state.active[id] != nil && connection.send(type: .data, streamID: id, payload: bytes)
        }
        if !sent { throw TTRPCError.closed("stream \(id) is finished") }
    }

    /// Answers a call whose handler returned; on the handler's thread.
    private func finish(_ id: UInt32, _ result: Result<[UInt8], any Error>) {
        guard let (call, drained) = take(id) else { return }  // already answered (deadline, close)
        if let timer = call.timer { connection.loop.cancelTimer(timer) }
        call.inbox?.finish(.closed("call finished"))
        switch result {
        case .success(let payload):
            connection.send(type: .response, streamID: id, prefix: ErrorStatus.successPrefix(payloadCount: payload.count), payload: payload)
        case .failure(let error):
            let status = ErrorStatus.of(error)
            send(id, code: status.code, message: status.message)
        }
        core.callFinished()
        if drained { connection.loop.execute { self.connection.closeAfterFlush() } }
    }

    /// The call's deadline passed; on the loop.
    private func expire(_ id: UInt32) {
        guard let (call, drained) = take(id) else { return }
        call.task?.cancel()
        call.inbox?.finish(TTRPCError(code: .deadlineExceeded, message: "context deadline exceeded"))
        send(id, code: .deadlineExceeded, message: "context deadline exceeded")
        core.callFinished()
        if drained { connection.closeAfterFlush() }
    }

    /// Removes a call; also says whether that left a draining connection idle.
    private func take(_ id: UInt32) -> (ActiveCall, Bool)? {
        state.withLock { state in
            guard let call = state.active.removeValue(forKey: id) else { return nil }
            return (call, state.draining && state.active.isEmpty)
        }
    }

    private func send(_ id: UInt32, code: TTRPCCode, message: String) {
        connection.send(type: .response, streamID: id, payload: ErrorStatus.response(code: code, message: message))
    }

    /// Stops taking new calls; closes once the active ones are answered. Loop only.
    func drain() {
        let idle = state.withLock { state -> Bool in
            state.draining = true
            return state.active.isEmpty
        }
        if idle { connection.closeAfterFlush() }
    }

    func closed(_ connection: FrameConnection, error: TTRPCError?) {
        let calls = state.withLock { state -> [ActiveCall] in
            let calls = Array(state.active.values)
            state.active.removeAll()
            return calls
        }
        for call in calls {
            call.task?.cancel()
            if let timer = call.timer { connection.loop.cancelTimer(timer) }
            call.inbox?.finish(.closed())
            core.callFinished()
        }
        core.connectionClosed(self)
    }
}
