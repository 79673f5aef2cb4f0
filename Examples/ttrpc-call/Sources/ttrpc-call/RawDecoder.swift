/// Shows a message without its description, as `protoc --decode_raw` does:
/// fields by number, varints and fixed values as numbers, and a
/// length-delimited value as a nested message when it parses as one, else
/// as text when it is printable UTF-8, else as base64.
enum RawDecoder {
    /// The fields of `bytes` by number; nil when they are not a message.
    static func message(_ bytes: [UInt8]) -> JSON? {
        guard let fields = WireReader.fields(of: bytes) else { return nil }
        var order: [Int] = []
        var values: [Int: [JSON]] = [:]
        for field in fields {
            if values[field.number] == nil { order.append(field.number) }
            values[field.number, default: []].append(json(for: field.value))
        }
        return .object(
            order.map { number in
                let items = values[number] ?? []
                return (String(number), items.count == 1 ? items[0] : .array(items))
            })
    }

    /// One wire value as JSON.
    static func json(for value: WireValue) -> JSON {
        switch value {
        case .varint(let n), .fixed64(let n): return .number(String(n))
        case .fixed32(let n): return .number(String(n))
        case .bytes(let bytes):
            if let text = printableText(bytes) { return .string(text) }
            if !bytes.isEmpty, let nested = message(bytes) { return nested }
            return .string(Base64.encode(bytes))
        }
    }

    private static func printableText(_ bytes: [UInt8]) -> String? {
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        var text = String.UnicodeScalarView()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                if scalar.value < 0x20 && scalar != "\n" && scalar != "\t" && scalar != "\r" { return nil }
                text.append(scalar)
            case .emptyInput: return String(text)
            case .error: return nil
            }
        }
    }
}
