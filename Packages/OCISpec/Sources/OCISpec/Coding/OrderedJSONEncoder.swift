/// A JSON encoder that writes object members in the order they are encoded,
/// as Go's encoding/json writes struct fields, and sorts the keys of maps
/// (dictionaries, unknown fields), as Go sorts map keys. So a config written
/// by OCISpec reads like one written by runc or containerd.
///
/// Model types mark their objects as ordered by encoding with ``JSONKey``;
/// objects with any other key type are treated as maps.
struct OrderedJSONEncoder {
    /// Indent with tabs, as `runc spec` does, or write one line.
    var pretty: Bool

    func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let root = Slot()
        try value.encode(to: NodeEncoder(slot: root, codingPath: []))
        var output: [UInt8] = []
        output.reserveCapacity(8192)
        try write(root.node, into: &output, depth: 0)
        return output
    }

    private func write(_ node: Node, into output: inout [UInt8], depth: Int) throws {
        switch node {
        case .null: output += "null".utf8
        case .literal(let text): output += text.utf8
        case .string(let text): Self.writeString(text, into: &output)
        case .array(let box):
            guard !box.elements.isEmpty else {
                output += "[]".utf8
                return
            }
            output.append(UInt8(ascii: "["))
            for (index, element) in box.elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                newline(&output, depth + 1)
                try write(element.node, into: &output, depth: depth + 1)
            }
            newline(&output, depth)
            output.append(UInt8(ascii: "]"))
        case .object(let box):
            guard !box.members.isEmpty else {
                output += "{}".utf8
                return
            }
            let members = box.isMap ? box.members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) } : box.members
            output.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                newline(&output, depth + 1)
                Self.writeString(member.key, into: &output)
                output.append(UInt8(ascii: ":"))
                if pretty { output.append(UInt8(ascii: " ")) }
                try write(member.slot.node, into: &output, depth: depth + 1)
            }
            newline(&output, depth)
            output.append(UInt8(ascii: "}"))
        }
    }

    private func newline(_ output: inout [UInt8], _ depth: Int) {
        guard pretty else { return }
        output.append(UInt8(ascii: "\n"))
        output.append(contentsOf: repeatElement(UInt8(ascii: "\t"), count: depth))
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends `text` as a JSON string: runs of plain bytes are copied in
    /// one go; quotes, backslashes and control characters are escaped.
    static func writeString(_ text: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            var runStart = 0
            for position in 0..<utf8.count {
                let byte = utf8[position]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<position]))
                runStart = position + 1
                switch byte {
                case UInt8(ascii: "\""): output += #"\""#.utf8
                case UInt8(ascii: "\\"): output += #"\\"#.utf8
                case UInt8(ascii: "\n"): output += #"\n"#.utf8
                case UInt8(ascii: "\r"): output += #"\r"#.utf8
                case UInt8(ascii: "\t"): output += #"\t"#.utf8
                default:
                    output += #"\u00"#.utf8
                    output.append(hex[Int(byte >> 4)])
                    output.append(hex[Int(byte & 0xf)])
                }
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count]))
        }
        output.append(UInt8(ascii: "\""))
    }
}

/// A value being built: a JSON node filled in by an encoder.
private final class Slot {
    var node: Node = .null
}

private enum Node {
    case null
    case literal(String)  // numbers and booleans, already spelled
    case string(String)
    case array(ArrayBox)
    case object(ObjectBox)
}

private final class ArrayBox {
    var elements: [Slot] = []
}

private final class ObjectBox {
    var members: [(key: String, slot: Slot)] = []
    let isMap: Bool
    init(isMap: Bool) { self.isMap = isMap }
}

private struct NodeEncoder: Encoder {
    let slot: Slot
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let box: ObjectBox
        if case .object(let existing) = slot.node {
            box = existing
        } else {
            box = ObjectBox(isMap: Key.self != JSONKey.self)
            slot.node = .object(box)
        }
        return KeyedEncodingContainer(KeyedNodeContainer<Key>(box: box, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let box: ArrayBox
        if case .array(let existing) = slot.node {
            box = existing
        } else {
            box = ArrayBox()
            slot.node = .array(box)
        }
        return UnkeyedNodeContainer(box: box, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleNodeContainer(slot: slot, codingPath: codingPath)
    }
}

/// Spells primitives the way encoding/json does.
private enum Spell {
    static func double(_ value: Double, _ path: [any CodingKey]) throws -> Node {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: path, debugDescription: "JSON has no \(value)"))
        }
        if value == value.rounded(), abs(value) < 1e15 { return .literal(String(Int64(value))) }
        return .literal("\(value)")
    }
}

private struct SingleNodeContainer: SingleValueEncodingContainer {
    let slot: Slot
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { slot.node = .null }
    mutating func encode(_ value: Bool) throws { slot.node = .literal(value ? "true" : "false") }
    mutating func encode(_ value: String) throws { slot.node = .string(value) }
    mutating func encode(_ value: Double) throws { slot.node = try Spell.double(value, codingPath) }
    mutating func encode(_ value: Float) throws { slot.node = try Spell.double(Double(value), codingPath) }
    mutating func encode(_ value: Int) throws { slot.node = .literal(String(value)) }
    mutating func encode(_ value: Int8) throws { slot.node = .literal(String(value)) }
    mutating func encode(_ value: Int16) throws { slot.node = .literal(String(value)) }
    mutating func encode(_ value: Int32) throws { slot.node = .literal(String(value)) }
    mutating func encode(_ value: Int64) throws { slot.node = .literal(String(value)) }
    mutating func encode(_ value: UInt) throws { slot.node = .literal(String(value)) }
    mutating func encode(_ value: UInt8) throws { slot.node = .literal(String(value)) }
    mutating func encode(_ value: UInt16) throws { slot.node = .literal(String(value)) }
    mutating func encode(_ value: UInt32) throws { slot.node = .literal(String(value)) }
    mutating func encode(_ value: UInt64) throws { slot.node = .literal(String(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        try value.encode(to: NodeEncoder(slot: slot, codingPath: codingPath))
    }
}

private struct KeyedNodeContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let box: ObjectBox
    let codingPath: [any CodingKey]

    private func add(_ key: Key) -> Slot { add(named: key.stringValue) }

    private func add(named name: String) -> Slot {
        let slot = Slot()
        box.members.append((name, slot))
        return slot
    }

    mutating func encodeNil(forKey key: Key) throws { add(key).node = .null }
    mutating func encode(_ value: Bool, forKey key: Key) throws { add(key).node = .literal(value ? "true" : "false") }
    mutating func encode(_ value: String, forKey key: Key) throws { add(key).node = .string(value) }
    mutating func encode(_ value: Int, forKey key: Key) throws { add(key).node = .literal(String(value)) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { add(key).node = .literal(String(value)) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { add(key).node = .literal(String(value)) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { add(key).node = .literal(String(value)) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try value.encode(to: NodeEncoder(slot: add(key), codingPath: codingPath + [key]))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        NodeEncoder(slot: add(key), codingPath: codingPath + [key]).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        NodeEncoder(slot: add(key), codingPath: codingPath + [key]).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        NodeEncoder(slot: add(named: "super"), codingPath: codingPath)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        NodeEncoder(slot: add(key), codingPath: codingPath + [key])
    }
}

private struct IndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { intValue.map(String.init) ?? "" }
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

private struct UnkeyedNodeContainer: UnkeyedEncodingContainer {
    let box: ArrayBox
    let codingPath: [any CodingKey]
    var count: Int { box.elements.count }

    private func add() -> Slot {
        let slot = Slot()
        box.elements.append(slot)
        return slot
    }

    mutating func encodeNil() throws { add().node = .null }
    mutating func encode(_ value: Bool) throws { add().node = .literal(value ? "true" : "false") }
    mutating func encode(_ value: String) throws { add().node = .string(value) }
    mutating func encode(_ value: Int) throws { add().node = .literal(String(value)) }
    mutating func encode(_ value: UInt32) throws { add().node = .literal(String(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        let index = count
        try value.encode(to: NodeEncoder(slot: add(), codingPath: codingPath + [IndexKey(index)]))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        NodeEncoder(slot: add(), codingPath: codingPath).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        NodeEncoder(slot: add(), codingPath: codingPath).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        NodeEncoder(slot: add(), codingPath: codingPath)
    }
}
