/// A value that builds itself from a parsed ``JSONValue`` without going
/// through `Decoder`. Errors carry the path below this value; each level
/// adds its own key on the way up.
protocol JSONReadable {
    init(json: JSONValue) throws(OCISpecError)
}

extension OCISpecError {
    /// The same error, located one key or index further out.
    func within(_ segment: String) -> OCISpecError {
        var located = self
        let inner = jsonPath ?? ""
        if inner.isEmpty {
            located.jsonPath = segment
        } else if inner.hasPrefix("[") {
            located.jsonPath = segment + inner
        } else {
            located.jsonPath = segment + "." + inner
        }
        return located
    }

    static func mismatch(_ expected: String, _ found: JSONValue) -> OCISpecError {
        OCISpecError(kind: .invalidJSON, message: "expected \(expected), found \(found.kindDescription)", jsonPath: "")
    }
}

extension JSONValue {
    var kindDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int, .uint: return "an integer"
        case .double: return "a number with a fraction or exponent"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// Reads an object's members for a model's generated initializer, with Go's
/// rules: absent or null is zero (or nil), unknown keys are kept.
struct TreeReader {
    private let members: JSONObject
    private var read: [String] = []

    init(_ value: JSONValue) throws(OCISpecError) {
        guard case .object(let members) = value else { throw .mismatch("an object", value) }
        self.members = members
        read.reserveCapacity(16)
    }

    mutating func optional<T: JSONReadable>(_ key: String) throws(OCISpecError) -> T? {
        read.append(key)
        guard let value = members[key], value != .null else { return nil }
        do {
            return try T(json: value)
        } catch {
            throw error.within(key)
        }
    }

    mutating func field<T: JSONReadable>(_ key: String, zero: T) throws(OCISpecError) -> T {
        try optional(key) ?? zero
    }

    func rest() -> JSONObject {
        guard members.count > read.count || !members.keys.allSatisfy(read.contains) else { return [:] }
        return members.filter { !read.contains($0.key) }
    }
}

extension String: JSONReadable {
    init(json: JSONValue) throws(OCISpecError) {
        guard case .string(let text) = json else { throw .mismatch("a string", json) }
        self = text
    }
}

extension Bool: JSONReadable {
    init(json: JSONValue) throws(OCISpecError) {
        guard case .bool(let value) = json else { throw .mismatch("a boolean", json) }
        self = value
    }
}

/// Integers accept exactly the JSON integers that fit, as Go does.
protocol JSONInteger: FixedWidthInteger, JSONReadable {}

extension JSONInteger {
    init(json: JSONValue) throws(OCISpecError) {
        let converted: Self?
        switch json {
        case .int(let value): converted = Self(exactly: value)
        case .uint(let value): converted = Self(exactly: value)
        default: throw .mismatch(Self.isSigned ? "an integer" : "a non-negative integer", json)
        }
        guard let converted else {
            throw OCISpecError(
                kind: .invalidJSON, message: "\(json) does not fit in \(Self.self) (\(Self.min)...\(Self.max))", jsonPath: "")
        }
        self = converted
    }
}

extension Int: JSONInteger {}
extension Int32: JSONInteger {}
extension Int64: JSONInteger {}
extension UInt: JSONInteger {}
extension UInt16: JSONInteger {}
extension UInt32: JSONInteger {}
extension UInt64: JSONInteger {}

extension Array: JSONReadable where Element: JSONReadable {
    init(json: JSONValue) throws(OCISpecError) {
        guard case .array(let elements) = json else { throw .mismatch("an array", json) }
        var result: [Element] = []
        result.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            do {
                result.append(try Element(json: element))
            } catch {
                throw error.within("[\(index)]")
            }
        }
        self = result
    }
}

extension Dictionary: JSONReadable where Key == String, Value: JSONReadable {
    init(json: JSONValue) throws(OCISpecError) {
        guard case .object(let members) = json else { throw .mismatch("an object", json) }
        var result: [String: Value] = [:]
        result.reserveCapacity(members.count)
        for (key, member) in members {
            do {
                result[key] = try Value(json: member)
            } catch {
                throw error.within(key)
            }
        }
        self = result
    }
}

extension JSONValue: JSONReadable {
    init(json: JSONValue) throws(OCISpecError) { self = json }
}

extension IntelRdtSchemata: JSONReadable {
    init(json: JSONValue) throws(OCISpecError) {
        switch json {
        case .string(let text): self = .text(text)
        case .array: self = .lines(try [String](json: json))
        default: throw .mismatch("a string or an array of strings", json)
        }
    }
}
