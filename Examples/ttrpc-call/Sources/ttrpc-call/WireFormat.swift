/// The protobuf wire format: varints, fixed-width values and
/// length-delimited fields (protobuf.dev, "Encoding").
enum WireType: UInt8 {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    case startGroup = 3
    case endGroup = 4
    case fixed32 = 5
}

/// One field as it appears on the wire, not yet given a meaning.
enum WireValue {
    case varint(UInt64)
    case fixed64(UInt64)
    case fixed32(UInt32)
    case bytes([UInt8])
}

/// Reads fields from a serialized message.
struct WireReader {
    private let bytes: [UInt8]
    private var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Every field in order, or nil when the bytes are not a well-formed message.
    static func fields(of bytes: [UInt8]) -> [(number: Int, value: WireValue)]? {
        var reader = WireReader(bytes)
        var fields: [(number: Int, value: WireValue)] = []
        while reader.index < bytes.count {
            guard let key = reader.varint(), key >> 3 > 0, key >> 3 <= 536_870_911,
                let type = WireType(rawValue: UInt8(key & 7))
            else { return nil }
            let value: WireValue
            switch type {
            case .varint:
                guard let number = reader.varint() else { return nil }
                value = .varint(number)
            case .fixed64:
                guard let number = reader.fixed(8) else { return nil }
                value = .fixed64(number)
            case .fixed32:
                guard let number = reader.fixed(4) else { return nil }
                value = .fixed32(UInt32(number))
            case .lengthDelimited:
                guard let length = reader.varint(), length <= UInt64(bytes.count - reader.index) else { return nil }
                value = .bytes(Array(bytes[reader.index..<reader.index + Int(length)]))
                reader.index += Int(length)
            case .startGroup, .endGroup:
                return nil
            }
            fields.append((Int(key >> 3), value))
        }
        return fields
    }

    /// Reads a base-128 varint.
    mutating func varint() -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while index < bytes.count, shift < 64 {
            let byte = bytes[index]
            index += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
        return nil
    }

    /// Reads a little-endian value of `width` bytes.
    mutating func fixed(_ width: Int) -> UInt64? {
        guard index + width <= bytes.count else { return nil }
        var result: UInt64 = 0
        for offset in 0..<width { result |= UInt64(bytes[index + offset]) << (8 * UInt64(offset)) }
        index += width
        return result
    }

    /// Whether every byte has been read.
    var isAtEnd: Bool { index >= bytes.count }
}

/// Writes fields of a message.
struct WireWriter {
    private(set) var bytes: [UInt8] = []

    mutating func key(_ number: Int, _ type: WireType) { varint(UInt64(number) << 3 | UInt64(type.rawValue)) }

    mutating func varint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    mutating func fixed(_ value: UInt64, width: Int) {
        for offset in 0..<width { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(offset)))) }
    }

    mutating func lengthDelimited(_ payload: [UInt8]) {
        varint(UInt64(payload.count))
        bytes += payload
    }
}
