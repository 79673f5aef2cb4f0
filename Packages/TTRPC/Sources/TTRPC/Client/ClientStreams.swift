import SwiftProtobuf
import Synchronization

/// The final outcome of a streaming call, awaited by whoever asks.
final class CallOutcome: Sendable {
    private let state = Mutex<(result: Result<[UInt8], TTRPCError>?, waiters: [CheckedContinuation<Result<[UInt8], TTRPCError>, Never>])>(
        (nil, []))

    func resolve(_ result: Result<[UInt8], TTRPCError>) {
        let waiters = state.withLock { state -> [CheckedContinuation<Result<[UInt8], TTRPCError>, Never>] in
            guard state.result == nil else { return [] }
            state.result = result
            let waiting = state.waiters
            state.waiters = []
            return waiting
        }
        for waiter in waiters { waiter.resume(returning: result) }
    }

    func wait() async -> Result<[UInt8], TTRPCError> {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Result<[UInt8], TTRPCError>? in
                if let result = state.result { return result }
                state.waiters.append(continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}

/// A stream opened by the client.
struct OpenStream: Sendable {
    let core: ClientCore
    let token: CallToken
    let inbox: RawInbox
    let outcome: CallOutcome

    func send(_ bytes: [UInt8], flags: FrameFlags = []) async throws(TTRPCError) {
        guard bytes.count <= FrameHeader.maximumPayload else {
            throw TTRPCError(
                code: .resourceExhausted, message: "message length \(bytes.count) exceeds the maximum of \(FrameHeader.maximumPayload)")
        }
        if !core.sendData(token, bytes, flags: flags) {
            if case .failure(let error) = await outcome.wait() { throw error }
            throw TTRPCError.closed("stream already finished")
        }
    }

    func closeSend() async throws(TTRPCError) {
        try await send([], flags: [.remoteClosed, .noData])
    }
}

private func serialize<M: Message>(_ message: M) throws(TTRPCError) -> [UInt8] {
    do {
        return try message.serializedBytes()
    } catch {
        throw TTRPCError(code: .internal, message: "ttrpc: cannot marshal stream message: \(error)")
    }
}

/// A client-streaming call in progress.
public struct TTRPCClientStreamingCall<Request: Message & Sendable, Response: Message & Sendable>: Sendable {
    let stream: OpenStream

    /// Sends one request message.
    public func send(_ request: Request) async throws(TTRPCError) {
        try await stream.send(serialize(request))
    }

    /// Closes the sending side and waits for the response.
    public func finish() async throws(TTRPCError) -> Response {
        try await stream.closeSend()
        let bytes = try await stream.outcome.wait().get()
        do {
            return try Response(serializedBytes: bytes)
        } catch {
            throw TTRPCError(code: .internal, message: "ttrpc: cannot unmarshal response: \(error)")
        }
    }
}

/// A bidirectional call in progress.
public struct TTRPCBidirectionalCall<Request: Message & Sendable, Response: Message & Sendable>: Sendable {
    let stream: OpenStream

    /// The server's messages; ends when the server finishes.
    public var responses: TTRPCStreamReader<Response> { TTRPCStreamReader(raw: stream.inbox.stream) }

    /// Sends one request message.
    public func send(_ request: Request) async throws(TTRPCError) {
        try await stream.send(serialize(request))
    }

    /// Tells the server no more requests will come.
    public func closeSend() async throws(TTRPCError) {
        try await stream.closeSend()
    }

    /// Waits for the call's final status; throws it when it is an error.
    public func finish() async throws(TTRPCError) {
        _ = try await stream.outcome.wait().get()
    }
}
