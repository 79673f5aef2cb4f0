import SwiftProtobuf

/// Turns a proto3 JSON request into a serialized message with the
/// descriptions in a ``DescriptorPool``. Field names may be given in
/// lowerCamelCase or as in the .proto; integers as numbers or strings; enums
/// by name or number; bytes in base64. Anything that does not fit the
/// message is an error naming its path.
struct MessageEncoder {
    typealias Field = Google_Protobuf_FieldDescriptorProto

    let pool: DescriptorPool

    /// Encodes `json` as the message named `typeName`.
    func encode(_ json: JSON, as typeName: String, path: String) throws(CallError) -> [UInt8] {
        if let special = try specialType(json, typeName: typeName, path: path) { return special }
        guard let message = pool.message(named: typeName) else {
            throw CallError.usage("\(path): the descriptor set has no message \(typeName)")
        }
        guard case .object(let members) = json else { throw CallError.usage("\(path): expected an object for \(typeName)") }
        var writer = WireWriter()
        for (key, value) in members {
            guard let field = message.field.first(where: { $0.jsonKey == key || $0.name == key }) else {
                let names = message.field.map(\.jsonKey).joined(separator: ", ")
                throw CallError.usage("\(path): \(typeName) has no field \"\(key)\" (its fields: \(names))")
            }
            if case .null = value { continue }
            try encodeField(field, value, into: &writer, path: path + "." + key)
        }
        return writer.bytes
    }

    private func encodeField(_ field: Field, _ value: JSON, into writer: inout WireWriter, path: String) throws(CallError) {
        let number = Int(field.number)
        if field.isRepeated, field.type == .message, let entry = pool.message(named: field.typeName), entry.options.mapEntry {
            guard case .object(let pairs) = value else { throw CallError.usage("\(path): expected an object (a map)") }
            guard let keyField = entry.field.first(where: { $0.number == 1 }), let valueField = entry.field.first(where: { $0.number == 2 })
            else { throw CallError.usage("\(path): the map entry has no key or value field") }
            for (key, item) in pairs {
                var entryWriter = WireWriter()
                let keyJSON: JSON = keyField.type == .string ? .string(key) : (keyField.type == .bool ? .bool(key == "true") : .number(key))
                try encodeSingle(keyField, keyJSON, number: 1, into: &entryWriter, path: path)
                try encodeSingle(valueField, item, number: 2, into: &entryWriter, path: path + "[\"\(key)\"]")
                writer.key(number, .lengthDelimited)
                writer.lengthDelimited(entryWriter.bytes)
            }
            return
        }
        if field.isRepeated {
            guard case .array(let items) = value else { throw CallError.usage("\(path): expected an array") }
            for (index, item) in items.enumerated() {
                try encodeSingle(field, item, number: number, into: &writer, path: "\(path)[\(index)]")
            }
            return
        }
        try encodeSingle(field, value, number: number, into: &writer, path: path)
    }

    private func encodeSingle(_ field: Field, _ value: JSON, number: Int, into writer: inout WireWriter, path: String) throws(CallError) {
        switch field.type {
        case .int32, .int64, .uint32, .uint64, .sint32, .sint64:
            let integer = try Self.integer(value, field.type, path: path)
            writer.key(number, .varint)
            switch field.type {
            case .sint32, .sint64: writer.varint(UInt64(bitPattern: (integer.signed << 1) ^ (integer.signed >> 63)))
            default: writer.varint(integer.bits)
            }
        case .fixed32, .sfixed32:
            let integer = try Self.integer(value, field.type, path: path)
            writer.key(number, .fixed32)
            writer.fixed(integer.bits, width: 4)
        case .fixed64, .sfixed64:
            let integer = try Self.integer(value, field.type, path: path)
            writer.key(number, .fixed64)
            writer.fixed(integer.bits, width: 8)
        case .float:
            writer.key(number, .fixed32)
            writer.fixed(UInt64(Float(try Self.floating(value, path: path)).bitPattern), width: 4)
        case .double:
            writer.key(number, .fixed64)
            writer.fixed(try Self.floating(value, path: path).bitPattern, width: 8)
        case .bool:
            guard case .bool(let flag) = value else { throw CallError.usage("\(path): expected true or false") }
            writer.key(number, .varint)
            writer.varint(flag ? 1 : 0)
        case .string:
            guard case .string(let text) = value else { throw CallError.usage("\(path): expected a string") }
            writer.key(number, .lengthDelimited)
            writer.lengthDelimited(Array(text.utf8))
        case .bytes:
            guard case .string(let text) = value, let bytes = Base64.decode(text) else {
                throw CallError.usage("\(path): expected base64 text")
            }
            writer.key(number, .lengthDelimited)
            writer.lengthDelimited(bytes)
        case .enum:
            writer.key(number, .varint)
            writer.varint(UInt64(bitPattern: Int64(try enumNumber(value, field.typeName, path: path))))
        case .message:
            let bytes = try encode(value, as: DescriptorPool.strip(field.typeName), path: path)
            writer.key(number, .lengthDelimited)
            writer.lengthDelimited(bytes)
        case .group:
            throw CallError.usage("\(path): groups are not supported")
        }
    }

    private func enumNumber(_ value: JSON, _ typeName: String, path: String) throws(CallError) -> Int32 {
        let type = pool.enums[DescriptorPool.strip(typeName)]
        switch value {
        case .string(let name):
            guard let number = type?.value.first(where: { $0.name == name })?.number else {
                let names = type?.value.map(\.name).joined(separator: ", ") ?? ""
                throw CallError.usage("\(path): \"\(name)\" is not a value of \(DescriptorPool.strip(typeName)) (\(names))")
            }
            return number
        case .number(let text):
            guard let number = Int32(text) else { throw CallError.usage("\(path): \(text) is not an enum number") }
            return number
        default:
            throw CallError.usage("\(path): expected an enum name")
        }
    }

    /// An integer given as a JSON number or string, checked against the field's range.
    private static func integer(_ value: JSON, _ type: Field.TypeEnum, path: String) throws(CallError) -> (signed: Int64, bits: UInt64) {
        let text: String
        switch value {
        case .number(let literal), .string(let literal): text = literal
        default: throw CallError.usage("\(path): expected an integer")
        }
        switch type {
        case .uint32, .fixed32:
            guard let number = UInt32(text) else { throw CallError.usage("\(path): \(text) is not a 32-bit unsigned integer") }
            return (Int64(number), UInt64(number))
        case .uint64, .fixed64:
            guard let number = UInt64(text) else { throw CallError.usage("\(path): \(text) is not a 64-bit unsigned integer") }
            return (Int64(bitPattern: number), number)
        case .int32, .sint32, .sfixed32:
            guard let number = Int32(text) else { throw CallError.usage("\(path): \(text) is not a 32-bit integer") }
            // int32 is sign-extended to 64 bits on the wire; sfixed32 keeps 32.
            return (Int64(number), type == .sfixed32 ? UInt64(UInt32(bitPattern: number)) : UInt64(bitPattern: Int64(number)))
        default:
            guard let number = Int64(text) else { throw CallError.usage("\(path): \(text) is not a 64-bit integer") }
            return (number, UInt64(bitPattern: number))
        }
    }

    private static func floating(_ value: JSON, path: String) throws(CallError) -> Double {
        switch value {
        case .number(let text), .string(let text):
            if text == "NaN" { return .nan }
            if text == "Infinity" { return .infinity }
            if text == "-Infinity" { return -.infinity }
            guard let number = Double(text) else { throw CallError.usage("\(path): \(text) is not a number") }
            return number
        default:
            throw CallError.usage("\(path): expected a number")
        }
    }

    /// Empty, Timestamp, Duration and Any from their JSON forms.
    private func specialType(_ json: JSON, typeName: String, path: String) throws(CallError) -> [UInt8]? {
        switch DescriptorPool.strip(typeName) {
        case "google.protobuf.Empty":
            return []
        case "google.protobuf.Timestamp", "google.protobuf.Duration":
            let isTimestamp = typeName.hasSuffix("Timestamp")
            guard case .string(let text) = json,
                let (seconds, nanos) = isTimestamp ? Timestamp.parse(text) : Timestamp.parseDuration(text)
            else {
                throw CallError.usage(
                    "\(path): expected \(isTimestamp ? "RFC 3339 text such as 2026-01-02T03:04:05Z" : "a duration such as 1.5s")")
            }
            var writer = WireWriter()
            if seconds != 0 {
                writer.key(1, .varint)
                writer.varint(UInt64(bitPattern: seconds))
            }
            if nanos != 0 {
                writer.key(2, .varint)
                writer.varint(UInt64(bitPattern: Int64(nanos)))
            }
            return writer.bytes
        case "google.protobuf.Any":
            guard case .object(let members) = json else { throw CallError.usage("\(path): expected an object with \"@type\"") }
            guard case .string(let typeURL)? = json["@type"] else { throw CallError.usage("\(path): an Any needs \"@type\"") }
            let innerName = DescriptorPool.strip(String(typeURL.split(separator: "/").last ?? ""))
            let rest: JSON =
                WellKnownTypes.isWellKnown(innerName) ? (json["value"] ?? .null) : .object(members.filter { $0.key != "@type" })
            let value = try encode(rest, as: innerName, path: path + "<\(innerName)>")
            var writer = WireWriter()
            writer.key(1, .lengthDelimited)
            writer.lengthDelimited(Array(typeURL.utf8))
            writer.key(2, .lengthDelimited)
            writer.lengthDelimited(value)
            return writer.bytes
        default:
            return nil
        }
    }
}
