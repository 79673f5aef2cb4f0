/// Writes JSON straight into bytes: object members in the order they are
/// written (Go's struct order for the models), map keys sorted as Go sorts
/// them, tab indentation like `runc spec` when pretty.
struct JSONOutput {
    var bytes: [UInt8] = []
    let pretty: Bool
    private var depth = 0
    private var needsComma = false

    init(pretty: Bool) {
        self.pretty = pretty
        bytes.reserveCapacity(8192)
    }

    mutating func beginObject() { open(UInt8(ascii: "{")) }
    mutating func endObject() { close(UInt8(ascii: "}")) }
    mutating func beginArray() { open(UInt8(ascii: "[")) }
    mutating func endArray() { close(UInt8(ascii: "]")) }

    private mutating func open(_ byte: UInt8) {
        bytes.append(byte)
        depth += 1
        needsComma = false
    }

    private mutating func close(_ byte: UInt8) {
        depth -= 1
        // An empty container stays on one line: `{}` and `[]`.
        if bytes.last != UInt8(ascii: "{") && bytes.last != UInt8(ascii: "[") { newline() }
        bytes.append(byte)
        needsComma = true
    }

    /// Starts an array element or an object member.
    mutating func item() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        newline()
        needsComma = false
    }

    mutating func key(_ name: String) {
        item()
        OrderedJSONEncoder.writeString(name, into: &bytes)
        bytes.append(UInt8(ascii: ":"))
        if pretty { bytes.append(UInt8(ascii: " ")) }
    }

    /// A scalar already spelled as JSON.
    mutating func raw(_ text: String) {
        bytes += text.utf8
        needsComma = true
    }

    mutating func string(_ text: String) {
        OrderedJSONEncoder.writeString(text, into: &bytes)
        needsComma = true
    }

    private mutating func newline() {
        guard pretty else { return }
        bytes.append(UInt8(ascii: "\n"))
        bytes.append(contentsOf: repeatElement(UInt8(ascii: "\t"), count: depth))
    }

    /// A member that Go always writes.
    mutating func member<T: JSONWritable>(_ name: String, _ value: T) {
        key(name)
        value.write(to: &self)
    }

    /// A member written only when present.
    mutating func member<T: JSONWritable>(_ name: String, _ value: T?) {
        guard let value else { return }
        key(name)
        value.write(to: &self)
    }

    /// Keys a model did not know, sorted, after the known ones.
    mutating func unknown(_ fields: JSONObject) {
        guard !fields.isEmpty else { return }
        for name in fields.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            if let value = fields[name] { member(name, value) }
        }
    }
}

/// A value that writes itself as JSON without going through `Encoder`.
protocol JSONWritable {
    func write(to output: inout JSONOutput)
}

extension String: JSONWritable {
    func write(to output: inout JSONOutput) { output.string(self) }
}

extension Bool: JSONWritable {
    func write(to output: inout JSONOutput) { output.raw(self ? "true" : "false") }
}

extension Int: JSONWritable {
    func write(to output: inout JSONOutput) { output.raw(String(self)) }
}

extension Int32: JSONWritable {
    func write(to output: inout JSONOutput) { output.raw(String(self)) }
}

extension Int64: JSONWritable {
    func write(to output: inout JSONOutput) { output.raw(String(self)) }
}

extension UInt: JSONWritable {
    func write(to output: inout JSONOutput) { output.raw(String(self)) }
}

extension UInt16: JSONWritable {
    func write(to output: inout JSONOutput) { output.raw(String(self)) }
}

extension UInt32: JSONWritable {
    func write(to output: inout JSONOutput) { output.raw(String(self)) }
}

extension UInt64: JSONWritable {
    func write(to output: inout JSONOutput) { output.raw(String(self)) }
}

extension Array: JSONWritable where Element: JSONWritable {
    func write(to output: inout JSONOutput) {
        output.beginArray()
        for element in self {
            output.item()
            element.write(to: &output)
        }
        output.endArray()
    }
}

extension Dictionary: JSONWritable where Key == String, Value: JSONWritable {
    func write(to output: inout JSONOutput) {
        output.beginObject()
        for name in keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            if let value = self[name] { output.member(name, value) }
        }
        output.endObject()
    }
}

extension JSONValue: JSONWritable {
    func write(to output: inout JSONOutput) {
        switch self {
        case .null: output.raw("null")
        case .bool(let value): value.write(to: &output)
        case .int(let value): value.write(to: &output)
        case .uint(let value): value.write(to: &output)
        case .double(let value): output.raw(value.isFinite ? "\(value)" : "null")
        case .string(let value): output.string(value)
        case .array(let value): value.write(to: &output)
        case .object(let value): value.write(to: &output)
        }
    }
}

extension IntelRdtSchemata: JSONWritable {
    func write(to output: inout JSONOutput) {
        switch self {
        case .text(let text): output.string(text)
        case .lines(let lines): lines.write(to: &output)
        }
    }
}
