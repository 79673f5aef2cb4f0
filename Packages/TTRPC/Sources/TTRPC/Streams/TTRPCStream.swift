import SwiftProtobuf

/// Messages arriving on a stream (ttrpc 1.2 data frames), decoded as
/// `Message`. Iteration ends when the sender closes its side, and throws
/// when the call fails.
public struct TTRPCStreamReader<Message: SwiftProtobuf.Message & Sendable>: AsyncSequence, Sendable {
    public typealias Element = Message
    let raw: AsyncThrowingStream<[UInt8], any Error>

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncThrowingStream<[UInt8], any Error>.AsyncIterator

        public mutating func next() async throws -> Message? {
            guard let bytes = try await base.next() else { return nil }
            do {
                return try Message(serializedBytes: bytes)
            } catch {
                throw TTRPCError(code: .internal, message: "ttrpc: error unmarshalling stream message: \(error)")
            }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: raw.makeAsyncIterator())
    }
}

/// Sends messages on a stream as data frames.
public struct TTRPCStreamWriter<Message: SwiftProtobuf.Message & Sendable>: Sendable {
    let sendRaw: @Sendable ([UInt8]) async throws(TTRPCError) -> Void

    /// Sends one message; throws once the stream or its connection is gone.
    public func send(_ message: Message) async throws(TTRPCError) {
        let bytes: [UInt8]
        do {
            bytes = try message.serializedBytes()
        } catch {
            throw TTRPCError(code: .internal, message: "ttrpc: error marshaling stream message: \(error)")
        }
        guard bytes.count <= FrameHeader.maximumPayload else {
            throw TTRPCError(
                code: .resourceExhausted, message: "message length \(bytes.count) exceeds the maximum of \(FrameHeader.maximumPayload)")
        }
        try await sendRaw(bytes)
    }
}

/// The receiving end of a stream, fed by the event loop.
struct RawInbox: Sendable {
    let stream: AsyncThrowingStream<[UInt8], any Error>
    let continuation: AsyncThrowingStream<[UInt8], any Error>.Continuation

    init() {
        (stream, continuation) = AsyncThrowingStream.makeStream(of: [UInt8].self, throwing: (any Error).self)
    }

    func deliver(_ bytes: [UInt8]) { continuation.yield(bytes) }
    func finish(_ error: TTRPCError? = nil) { continuation.finish(throwing: error) }
}
