/// Splits a byte stream into ttrpc frames, however the bytes arrive: feed it
/// whatever a read returned and take out complete frames.
///
/// A frame longer than ``FrameHeader/maximumPayload`` is not buffered: its
/// bytes are skipped as they arrive and it comes out as ``Event/oversized(_:)``,
/// so the caller can answer ResourceExhausted on that stream (as the Go
/// implementation does) and go on with the next frame.
public struct FrameDecoder: Sendable {
    /// What ``next()`` yields.
    public enum Event: Hashable, Sendable {
        /// A complete frame.
        case frame(FrameHeader, [UInt8])
        /// A frame whose payload exceeded the limit; its bytes were discarded.
        case oversized(FrameHeader)
    }

    private var buffer: [UInt8] = []
    private var start = 0
    private var skipping: (header: FrameHeader, remaining: Int)?
    private let limit: Int

    /// - Parameter limit: the largest payload accepted; defaults to 4 MiB.
    public init(limit: Int = FrameHeader.maximumPayload) {
        self.limit = limit
    }

    /// Bytes received but not yet part of a returned frame.
    public var bufferedCount: Int { buffer.count - start }

    /// Whether the decoder is in the middle of a frame (data would be lost
    /// if the stream ended now).
    public var isMidFrame: Bool { bufferedCount > 0 || skipping != nil }

    /// Adds bytes read from the stream.
    public mutating func append<Bytes: Collection<UInt8>>(_ bytes: Bytes) {
        if start > 0, start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete frame, or nil when more bytes are needed.
    public mutating func next() -> Event? {
        if var skip = skipping {
            let available = buffer.count - start
            let dropped = min(available, skip.remaining)
            start += dropped
            skip.remaining -= dropped
            if skip.remaining > 0 {
                skipping = skip
                compact()
                return nil
            }
            skipping = nil
            compact()
            return .oversized(skip.header)
        }
        guard buffer.count - start >= FrameHeader.size else {
            compact()
            return nil
        }
        let header = FrameHeader(parsing: buffer[start..<start + FrameHeader.size])
        let length = Int(header.length)
        if length > limit {
            start += FrameHeader.size
            skipping = (header, length)
            return next()
        }
        guard buffer.count - start >= FrameHeader.size + length else {
            compact()
            return nil
        }
        let payloadStart = start + FrameHeader.size
        let payload = Array(buffer[payloadStart..<payloadStart + length])
        start = payloadStart + length
        return .frame(header, payload)
    }

    /// Drops consumed bytes once they are the larger part of the buffer.
    private mutating func compact() {
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= 1 << 16)
            start = 0
        } else if start > 4096, start * 2 > buffer.count {
            buffer.removeSubrange(0..<start)
            start = 0
        }
    }
}

/// Builds frames for sending.
public enum FrameEncoder {
    /// Appends a frame (header and payload) to `output`, the connection's
    /// send buffer, so header and payload go out in one write.
    public static func append(
        type: FrameType, streamID: UInt32, flags: FrameFlags = [], payload: some Collection<UInt8>, to output: inout [UInt8]
    ) {
        FrameHeader(length: UInt32(truncatingIfNeeded: payload.count), streamID: streamID, type: type, flags: flags)
            .append(to: &output)
        output.append(contentsOf: payload)
    }
}
