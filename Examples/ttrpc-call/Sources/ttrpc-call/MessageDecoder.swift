import SwiftProtobuf

/// Turns a serialized message into proto3 JSON (protobuf.dev, "ProtoJSON
/// Format") with the descriptions in a ``DescriptorPool``: field names in
/// lowerCamelCase, 64-bit integers as strings, enums by name, bytes in
/// base64, Timestamp and Duration as text, Any with its `@type`.
struct MessageDecoder {
    typealias Field = Google_Protobuf_FieldDescriptorProto

    let pool: DescriptorPool
    /// Also list fields the message does not carry, with their zero values.
    var emitDefaults = false

    /// Decodes `bytes` as the message named `typeName`; `path` names it in errors.
    func decode(_ bytes: [UInt8], as typeName: String, path: String) throws(CallError) -> JSON {
        if let special = try WellKnownTypes.decode(bytes, typeName: typeName, path: path, decoder: self) { return special }
        guard let message = pool.message(named: typeName) else {
            throw CallError.failed("\(path): the descriptor set has no message \(typeName)")
        }
        guard let fields = WireReader.fields(of: bytes) else {
            throw CallError.failed("\(path): the bytes are not a valid \(typeName)")
        }
        var byNumber: [Int: [WireValue]] = [:]
        for field in fields { byNumber[field.number, default: []].append(field.value) }

        var members: [(key: String, value: JSON)] = []
        for field in message.field {
            let values = byNumber.removeValue(forKey: Int(field.number)) ?? []
            let fieldPath = path + "." + field.jsonKey
            if values.isEmpty {
                if emitDefaults, let zero = defaultValue(of: field) { members.append((field.jsonKey, zero)) }
                continue
            }
            members.append((field.jsonKey, try decodeField(field, values, path: fieldPath)))
        }
        for (number, values) in byNumber.sorted(by: { $0.key < $1.key }) {
            let raw = values.map { RawDecoder.json(for: $0) }
            members.append(("#\(number)", raw.count == 1 ? raw[0] : .array(raw)))
        }
        return .object(members)
    }

    private func entryMessage(of field: Field) -> DescriptorPool.Message? {
        guard field.type == .message, let entry = pool.message(named: field.typeName), entry.options.mapEntry else { return nil }
        return entry
    }

    private func decodeField(_ field: Field, _ values: [WireValue], path: String) throws(CallError) -> JSON {
        if let entry = entryMessage(of: field), field.isRepeated {
            var members: [(key: String, value: JSON)] = []
            for case .bytes(let bytes) in values {
                members.append(try decodeEntry(bytes, entry: entry, path: path))
            }
            return .object(members)
        }
        var items: [JSON] = []
        for value in values {
            if case .bytes(let packed) = value, field.isRepeated, Self.isPackable(field.type) {
                items += try unpack(packed, field, path: path)
            } else {
                items.append(try scalar(value, field, path: path))
            }
        }
        if field.isRepeated { return .array(items) }
        return items[items.count - 1]
    }

    private func decodeEntry(_ bytes: [UInt8], entry: DescriptorPool.Message, path: String) throws(CallError) -> (
        key: String, value: JSON
    ) {
        guard let fields = WireReader.fields(of: bytes) else { throw CallError.failed("\(path): a map entry is malformed") }
        let keyField = entry.field.first { $0.number == 1 }
        let valueField = entry.field.first { $0.number == 2 }
        var key = ""
        var value: JSON = .null
        for (number, wire) in fields {
            if number == 1, let keyField {
                switch try scalar(wire, keyField, path: path) {
                case .string(let text), .number(let text): key = text
                case .bool(let flag): key = flag ? "true" : "false"
                default: break
                }
            } else if number == 2, let valueField {
                value = try scalar(wire, valueField, path: path + "[\"\(key)\"]")
            }
        }
        if case .null = value, let valueField, let zero = defaultValue(of: valueField) { value = zero }
        return (key, value)
    }

    static func isPackable(_ type: Field.TypeEnum) -> Bool {
        switch type {
        case .string, .bytes, .message, .group: return false
        default: return true
        }
    }

    private func unpack(_ bytes: [UInt8], _ field: Field, path: String) throws(CallError) -> [JSON] {
        var reader = WireReader(bytes)
        var items: [JSON] = []
        while !reader.isAtEnd {
            let value: WireValue?
            switch field.type {
            case .fixed64, .sfixed64, .double: value = reader.fixed(8).map { .fixed64($0) }
            case .fixed32, .sfixed32, .float: value = reader.fixed(4).map { .fixed32(UInt32($0)) }
            default: value = reader.varint().map { .varint($0) }
            }
            guard let value else { throw CallError.failed("\(path): a packed list is malformed") }
            items.append(try scalar(value, field, path: path))
        }
        return items
    }

    private func scalar(_ value: WireValue, _ field: Field, path: String) throws(CallError) -> JSON {
        switch (field.type, value) {
        case (.int32, .varint(let n)): return .number(String(Int32(truncatingIfNeeded: n)))
        case (.int64, .varint(let n)): return .string(String(Int64(bitPattern: n)))
        case (.uint32, .varint(let n)): return .number(String(UInt32(truncatingIfNeeded: n)))
        case (.uint64, .varint(let n)): return .string(String(n))
        case (.sint32, .varint(let n)): return .number(String(Int32(truncatingIfNeeded: Self.unzigzag(n))))
        case (.sint64, .varint(let n)): return .string(String(Self.unzigzag(n)))
        case (.bool, .varint(let n)): return .bool(n != 0)
        case (.enum, .varint(let n)): return enumJSON(Int32(truncatingIfNeeded: n), field.typeName)
        case (.fixed32, .fixed32(let n)): return .number(String(n))
        case (.sfixed32, .fixed32(let n)): return .number(String(Int32(bitPattern: n)))
        case (.float, .fixed32(let n)): return Self.floating(Double(Float(bitPattern: n)))
        case (.fixed64, .fixed64(let n)): return .string(String(n))
        case (.sfixed64, .fixed64(let n)): return .string(String(Int64(bitPattern: n)))
        case (.double, .fixed64(let n)): return Self.floating(Double(bitPattern: n))
        case (.string, .bytes(let bytes)): return .string(String(decoding: bytes, as: UTF8.self))
        case (.bytes, .bytes(let bytes)): return .string(Base64.encode(bytes))
        case (.message, .bytes(let bytes)): return try decode(bytes, as: DescriptorPool.strip(field.typeName), path: path)
        default:
            throw CallError.failed("\(path): the wire type does not match the field's type \(field.type)")
        }
    }

    private func enumJSON(_ number: Int32, _ typeName: String) -> JSON {
        if let name = pool.enums[DescriptorPool.strip(typeName)]?.value.first(where: { $0.number == number })?.name {
            return .string(name)
        }
        return .number(String(number))
    }

    static func unzigzag(_ n: UInt64) -> Int64 { Int64(bitPattern: n >> 1) ^ -Int64(bitPattern: n & 1) }

    static func floating(_ value: Double) -> JSON {
        if value.isNaN { return .string("NaN") }
        if value.isInfinite { return .string(value < 0 ? "-Infinity" : "Infinity") }
        if value == value.rounded(), abs(value) < 1e15 { return .number(String(Int64(value))) }
        return .number(String(value))
    }

    /// The JSON a missing field stands for, for `--emit-defaults`.
    func defaultValue(of field: Field) -> JSON? {
        if field.isRepeated { return entryMessage(of: field) != nil ? .object([]) : .array([]) }
        switch field.type {
        case .message, .group: return nil
        case .bool: return .bool(false)
        case .string, .bytes: return .string("")
        case .int64, .uint64, .sint64, .fixed64, .sfixed64: return .string("0")
        case .enum: return enumJSON(0, field.typeName)
        default: return .number("0")
        }
    }
}
