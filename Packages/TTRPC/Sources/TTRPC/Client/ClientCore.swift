internal import LinuxSupport
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Identifies a call before it has a stream id. Guarded by the client lock.
final class CallToken: @unchecked Sendable {
    var streamID: UInt32?
    var cancelled = false
}

/// The state of a client connection. Calls register and write their request
/// frame from the caller's thread; the loop delivers responses.
final class ClientCore: FrameConnectionDelegate, @unchecked Sendable {
    typealias Completion = @Sendable (Result<[UInt8], TTRPCError>) -> Void

    private struct PendingCall {
        var completion: Completion
        var inbox: RawInbox?
        var timer: ReactorTimer?
    }

    private struct State {
        var nextStreamID: UInt32 = 1
        var calls: [UInt32: PendingCall] = [:]
        var closedError: TTRPCError?
        var closeWaiters: [CheckedContinuation<Void, Never>] = []
    }

    let loop: TTRPCEventLoop
    let socketPath: String?
    private(set) var connection: FrameConnection?
    private let state = Mutex(State())

    init(loop: TTRPCEventLoop, socketPath: String?) {
        self.loop = loop
        self.socketPath = socketPath
    }

    /// Set once, before the connection starts.
    func attach(_ connection: FrameConnection) {
        self.connection = connection
    }

    /// Registers the call and sends its request frame, from any thread.
    /// `completion` runs exactly once.
    func start(_ request: TTRPCRequest, flags: FrameFlags, token: CallToken, inbox: RawInbox?, completion: @escaping Completion) {
        let payload: [UInt8]
        do {
            payload = try request.serializedBytes()
        } catch {
            completion(.failure(TTRPCError(code: .internal, message: "ttrpc: cannot marshal request: \(error)")))
            return
        }
        guard payload.count <= FrameHeader.maximumPayload else {
            completion(
                .failure(
                    TTRPCError(
                        code: .resourceExhausted,
                        message: "message length \(payload.count) exceed maximum message size of \(FrameHeader.maximumPayload)")))
            return
        }
        let refusal = state.withLock { state -> TTRPCError? in
            if token.cancelled { return TTRPCError(code: .canceled, message: "context canceled") }
            guard let connection, state.closedError == nil else { return state.closedError ?? .closed() }
            // The id is taken and the frame written under one lock, so ids
            // reach the wire in increasing order.
            let id = state.nextStreamID
            state.nextStreamID &+= 2
            token.streamID = id
            var call = PendingCall(completion: completion, inbox: inbox)
            if request.timeoutNano > 0 {
                call.timer = loop.schedule(afterNanoseconds: UInt64(request.timeoutNano)) { [weak self] in
                    self?.complete(id, .failure(TTRPCError(code: .deadlineExceeded, message: "context deadline exceeded")))
                }
            }
            state.calls[id] = call
            guard connection.send(type: .request, streamID: id, flags: flags, payload: payload) else {
                state.calls[id] = nil
                if let timer = call.timer { loop.cancelTimer(timer) }
                return state.closedError ?? .closed()
            }
            return nil
        }
        if let refusal {
            inbox?.finish(refusal)
            completion(.failure(refusal))
        }
    }

    /// Sends a data frame on an open call; false when the call is over.
    func sendData(_ token: CallToken, _ bytes: [UInt8], flags: FrameFlags) -> Bool {
        state.withLock { state in
            guard let id = token.streamID, state.calls[id] != nil, let connection else { return false }
            return connection.send(type: .data, streamID: id, flags: flags, payload: bytes)
        }
    }

    func cancel(_ token: CallToken) {
        let id = state.withLock { _ -> UInt32? in
            token.cancelled = true
            return token.streamID
        }
        if let id { complete(id, .failure(TTRPCError(code: .canceled, message: "context canceled"))) }
    }

    private func complete(_ id: UInt32, _ result: Result<[UInt8], TTRPCError>) {
        guard let call = state.withLock({ $0.calls.removeValue(forKey: id) }) else { return }
        if let timer = call.timer { loop.cancelTimer(timer) }
        switch result {
        case .success: call.inbox?.finish()
        case .failure(let error): call.inbox?.finish(error)
        }
        call.completion(result)
    }

    func received(_ event: FrameDecoder.Event, on connection: FrameConnection) {
        switch event {
        case .oversized(let header):
            complete(
                header.streamID,
                .failure(
                    TTRPCError(
                        code: .resourceExhausted,
                        message: "message length \(header.length) exceed maximum message size of \(FrameHeader.maximumPayload)")))
        case .frame(let header, let payload):
            switch header.type {
            case .response:
                let response: TTRPCResponse
                do {
                    response = try TTRPCResponse(serializedBytes: payload)
                } catch {
                    complete(header.streamID, .failure(TTRPCError(code: .internal, message: "ttrpc: bad response: \(error)")))
                    return
                }
                if response.status.code != TTRPCCode.ok.rawValue {
                    let code = TTRPCCode(rawValue: response.status.code)
                    complete(header.streamID, .failure(TTRPCError(code: code, message: response.status.message)))
                } else {
                    complete(header.streamID, .success(Array(response.payload)))
                }
            case .data:
                guard let inbox = state.withLock({ $0.calls[header.streamID]?.inbox }) else { return }
                if !header.flags.contains(.noData) { inbox.deliver(payload) }
                if header.flags.contains(.remoteClosed) { inbox.finish() }
            default:
                break
            }
        }
    }

    func closed(_ connection: FrameConnection, error: TTRPCError?) {
        let failure = error ?? .closed()
        let closedError = TTRPCError(code: .unavailable, message: failure.message, errno: failure.errno, socketPath: socketPath)
        let (pending, waiters) = state.withLock { state in
            state.closedError = closedError
            let pending = state.calls
            state.calls.removeAll()
            let waiters = state.closeWaiters
            state.closeWaiters.removeAll()
            return (pending, waiters)
        }
        for (_, call) in pending {
            if let timer = call.timer { loop.cancelTimer(timer) }
            call.inbox?.finish(closedError)
            call.completion(.failure(closedError))
        }
        for waiter in waiters { waiter.resume() }
    }

    func waitClosed(_ continuation: CheckedContinuation<Void, Never>) {
        let closed = state.withLock { state -> Bool in
            if state.closedError != nil { return true }
            state.closeWaiters.append(continuation)
            return false
        }
        if closed { continuation.resume() }
    }

    /// Loop only.
    func close() {
        connection?.close(error: .closed("closed by the client"))
    }
}
