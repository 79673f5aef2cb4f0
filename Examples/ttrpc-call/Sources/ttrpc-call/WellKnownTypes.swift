/// The google.protobuf types with a JSON form of their own: Empty,
/// Timestamp (RFC 3339 text), Duration (`"1.5s"`) and Any (the packed
/// message's fields beside `@type`).
enum WellKnownTypes {
    /// JSON for `bytes` as `typeName` when it is one of these types; nil otherwise.
    static func decode(_ bytes: [UInt8], typeName: String, path: String, decoder: MessageDecoder) throws(CallError) -> JSON? {
        switch DescriptorPool.strip(typeName) {
        case "google.protobuf.Empty":
            return .object([])
        case "google.protobuf.Timestamp":
            let (seconds, nanos) = try secondsAndNanos(bytes, path: path)
            return .string(Timestamp.format(seconds: seconds, nanos: nanos))
        case "google.protobuf.Duration":
            let (seconds, nanos) = try secondsAndNanos(bytes, path: path)
            return .string(Timestamp.formatDuration(seconds: seconds, nanos: nanos))
        case "google.protobuf.Any":
            return try any(bytes, path: path, decoder: decoder)
        default:
            return nil
        }
    }

    private static func secondsAndNanos(_ bytes: [UInt8], path: String) throws(CallError) -> (Int64, Int32) {
        guard let fields = WireReader.fields(of: bytes) else { throw CallError.failed("\(path): malformed") }
        var seconds: Int64 = 0
        var nanos: Int32 = 0
        for field in fields {
            guard case .varint(let n) = field.value else { continue }
            if field.number == 1 { seconds = Int64(bitPattern: n) }
            if field.number == 2 { nanos = Int32(truncatingIfNeeded: n) }
        }
        return (seconds, nanos)
    }

    private static func any(_ bytes: [UInt8], path: String, decoder: MessageDecoder) throws(CallError) -> JSON {
        guard let fields = WireReader.fields(of: bytes) else { throw CallError.failed("\(path): malformed Any") }
        var typeURL = ""
        var value: [UInt8] = []
        for field in fields {
            guard case .bytes(let content) = field.value else { continue }
            if field.number == 1 { typeURL = String(decoding: content, as: UTF8.self) }
            if field.number == 2 { value = content }
        }
        if typeURL.isEmpty && value.isEmpty { return .object([]) }
        let typeName = DescriptorPool.strip(String(typeURL.split(separator: "/").last ?? ""))
        guard decoder.pool.message(named: typeName) != nil || isWellKnown(typeName) else {
            // Not in the descriptor set: show it undecoded.
            return .object([("@type", .string(typeURL)), ("@raw", RawDecoder.message(value) ?? .string(Base64.encode(value)))])
        }
        let inner = try decoder.decode(value, as: typeName, path: path + "<\(typeName)>")
        if case .object(let members) = inner, !isWellKnown(typeName) {
            return .object([("@type", .string(typeURL))] + members)
        }
        return .object([("@type", .string(typeURL)), ("value", inner)])
    }

    static func isWellKnown(_ typeName: String) -> Bool {
        ["google.protobuf.Empty", "google.protobuf.Timestamp", "google.protobuf.Duration", "google.protobuf.Any"].contains(typeName)
    }
}
