#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Identifies a call before the loop has given it a stream id.
final class CallToken: @unchecked Sendable {
    /// Loop-confined.
    var streamID: UInt32?
    var cancelled = false
}

/// The loop-confined state of a client connection.
final class ClientCore: FrameConnectionDelegate, @unchecked Sendable {
    private struct PendingCall {
        var completion: (Result<[UInt8], TTRPCError>) -> Void
        var inbox: RawInbox?
        var timer: UInt64?
    }

    let loop: EventLoop
    let socketPath: String?
    private(set) var connection: FrameConnection?
    private var nextStreamID: UInt32 = 1
    private var calls: [UInt32: PendingCall] = [:]
    private var closedError: TTRPCError?
    private var closeWaiters: [CheckedContinuation<Void, Never>] = []

    init(loop: EventLoop, socketPath: String?) {
        self.loop = loop
        self.socketPath = socketPath
    }

    func attach(_ connection: FrameConnection) {
        self.connection = connection
    }

    /// Sends a request frame and registers the call. `completion` runs
    /// exactly once, on the loop.
    func start(
        _ request: TTRPCRequest, flags: FrameFlags, token: CallToken, inbox: RawInbox?,
        completion: @escaping (Result<[UInt8], TTRPCError>) -> Void
    ) {
        if token.cancelled {
            completion(.failure(TTRPCError(code: .canceled, message: "context canceled")))
            return
        }
        guard let connection, closedError == nil else {
            completion(.failure(closedError ?? .closed()))
            return
        }
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
        let id = nextStreamID
        nextStreamID &+= 2
        token.streamID = id
        var call = PendingCall(completion: completion, inbox: inbox)
        if request.timeoutNano > 0 {
            call.timer = loop.schedule(afterNanoseconds: UInt64(request.timeoutNano)) { [weak self] in
                self?.complete(id, .failure(TTRPCError(code: .deadlineExceeded, message: "context deadline exceeded")))
            }
        }
        calls[id] = call
        connection.send(type: .request, streamID: id, flags: flags, payload: payload)
    }

    /// Sends a data frame on an open call; false when the call is over.
    func sendData(_ token: CallToken, _ bytes: [UInt8], flags: FrameFlags) -> Bool {
        guard let id = token.streamID, calls[id] != nil, let connection, !connection.isClosed else { return false }
        connection.send(type: .data, streamID: id, flags: flags, payload: bytes)
        return true
    }

    func cancel(_ token: CallToken) {
        token.cancelled = true
        if let id = token.streamID {
            complete(id, .failure(TTRPCError(code: .canceled, message: "context canceled")))
        }
    }

    private func complete(_ id: UInt32, _ result: Result<[UInt8], TTRPCError>) {
        guard let call = calls.removeValue(forKey: id) else { return }
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
                guard calls[header.streamID] != nil else { return }  // late: deadline or cancel came first
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
                guard let inbox = calls[header.streamID]?.inbox else { return }
                if !header.flags.contains(.noData) { inbox.deliver(payload) }
                if header.flags.contains(.remoteClosed) { inbox.finish() }
            default:
                break
            }
        }
    }

    func closed(_ connection: FrameConnection, error: TTRPCError?) {
        let failure = error ?? .closed()
        closedError = TTRPCError(code: .unavailable, message: failure.message, errno: failure.errno, socketPath: socketPath)
        let pending = calls
        calls.removeAll()
        for (_, call) in pending {
            if let timer = call.timer { loop.cancelTimer(timer) }
            call.inbox?.finish(closedError)
            call.completion(.failure(closedError ?? failure))
        }
        for waiter in closeWaiters { waiter.resume() }
        closeWaiters.removeAll()
    }

    func waitClosed(_ continuation: CheckedContinuation<Void, Never>) {
        if closedError != nil {
            continuation.resume()
        } else {
            closeWaiters.append(continuation)
        }
    }

    func close() {
        connection?.close(error: .closed("closed by the client"))
    }
}
