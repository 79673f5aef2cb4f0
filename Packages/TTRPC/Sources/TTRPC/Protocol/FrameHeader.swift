/// The 10-byte header of every ttrpc frame: payload length and stream id
/// (both big-endian `UInt32`), message type, flags.
public struct FrameHeader: Hashable, Sendable {
    /// Bytes in a header.
    public static let size = 10
    /// The largest payload either side accepts: 4 MiB.
    public static let maximumPayload = 4 << 20

    /// Payload bytes following the header.
    public var length: UInt32
    /// The stream (call) the frame belongs to; odd for client-initiated streams.
    public var streamID: UInt32
    /// What the frame carries.
    public var type: FrameType
    /// Stream flags (see ``FrameFlags``).
    public var flags: FrameFlags

    /// A header for a frame of `length` payload bytes on `streamID`.
    public init(length: UInt32, streamID: UInt32, type: FrameType, flags: FrameFlags = []) {
        self.length = length
        self.streamID = streamID
        self.type = type
        self.flags = flags
    }

    /// Parses a header from its 10 bytes.
    public init<Bytes: Collection<UInt8>>(parsing bytes: Bytes) where Bytes.Index == Int {
        let base = bytes.startIndex
        func word(_ offset: Int) -> UInt32 {
            (0..<4).reduce(0) { $0 << 8 | UInt32(bytes[base + offset + $1]) }
        }
        length = word(0)
        streamID = word(4)
        type = FrameType(rawValue: bytes[base + 8])
        flags = FrameFlags(rawValue: bytes[base + 9])
    }

    /// Appends the 10 header bytes.
    public func append(to output: inout [UInt8]) {
        for shift in stride(from: 24, through: 0, by: -8) { output.append(UInt8(truncatingIfNeeded: length >> UInt32(shift))) }
        for shift in stride(from: 24, through: 0, by: -8) { output.append(UInt8(truncatingIfNeeded: streamID >> UInt32(shift))) }
        output.append(type.rawValue)
        output.append(flags.rawValue)
    }
}

/// The message type byte of a frame. An open set: unknown values are kept
/// so a peer can decide what to do with them.
public struct FrameType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// A request: opens a stream.
    public static let request = FrameType(rawValue: 0x01)
    /// A response: the final frame of a stream, from the server.
    public static let response = FrameType(rawValue: 0x02)
    /// Data on an open stream (ttrpc 1.2 streaming).
    public static let data = FrameType(rawValue: 0x03)

    public var description: String {
        switch self {
        case .request: return "request"
        case .response: return "response"
        case .data: return "data"
        default: return "type 0x\(String(rawValue, radix: 16))"
        }
    }
}

/// Frame flags. On requests: `remoteClosed` (the client sends no data
/// frames) or `remoteOpen` (it will); none means a unary call. On data
/// frames: `remoteClosed` (the sender is done) and `noData` (no payload).
public struct FrameFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// The sender will send nothing more on this stream.
    public static let remoteClosed = FrameFlags(rawValue: 0x01)
    /// The sender will send more on this stream (a client- or bidirectional-streaming request).
    public static let remoteOpen = FrameFlags(rawValue: 0x02)
    /// The frame carries no payload (a stream's closing frame).
    public static let noData = FrameFlags(rawValue: 0x04)
}
