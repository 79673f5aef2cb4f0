/// Any JSON value, kept exactly enough to be written back: integers stay
/// integers (including the full `UInt64` range, which rlimits use), and object
/// keys keep their values.
///
/// OCISpec uses it for keys it does not model (so that a tool editing a config
/// it did not write loses nothing) and for comparing documents semantically.
public enum JSONValue: Hashable, Sendable {
    /// JSON `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number without fraction or exponent that fits Int64.
    case int(Int64)
    /// A non-negative integer above Int64.max that fits UInt64.
    case uint(UInt64)
    /// Any other number.
    case double(Double)
    /// A string.
    case string(String)
    /// An array, in order.
    case array([JSONValue])
    /// An object; key order is not kept.
    case object([String: JSONValue])
}

/// The members of a JSON object.
public typealias JSONObject = [String: JSONValue]

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .int(value)
        } else if let value = try? container.decode(UInt64.self) {
            self = .uint(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode(JSONObject.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .uint(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

extension JSONValue {
    /// Equality as JSON means it: numbers compare by value whatever their
    /// representation, objects by their members regardless of order.
    public func isSemanticallyEqual(to other: JSONValue) -> Bool {
        switch (self, other) {
        case (.array(let a), .array(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.isSemanticallyEqual(to: $1) }
        case (.object(let a), .object(let b)):
            guard a.count == b.count else { return false }
            return a.allSatisfy { key, value in b[key].map { value.isSemanticallyEqual(to: $0) } ?? false }
        default:
            if let a = numericValue, let b = other.numericValue { return a == b }
            return self == other
        }
    }

    /// Paths (in the `a.b[2]` form) at which two documents differ, for test
    /// failures and `oci-spec` diagnostics.
    public func differences(from other: JSONValue, at path: String = "") -> [String] {
        switch (self, other) {
        case (.object(let a), .object(let b)):
            var result: [String] = []
            for key in Set(a.keys).union(b.keys).sorted() {
                let child = path.isEmpty ? key : "\(path).\(key)"
                switch (a[key], b[key]) {
                case (let x?, let y?): result += x.differences(from: y, at: child)
                case (nil, _): result.append("\(child): only in the second document")
                case (_, nil): result.append("\(child): only in the first document")
                }
            }
            return result
        case (.array(let a), .array(let b)) where a.count == b.count:
            return zip(a, b).enumerated().flatMap { index, pair in
                pair.0.differences(from: pair.1, at: "\(path)[\(index)]")
            }
        default:
            return isSemanticallyEqual(to: other) ? [] : ["\(path.isEmpty ? "$" : path): \(self) != \(other)"]
        }
    }

    private var numericValue: NumericValue? {
        switch self {
        case .int(let v): return NumericValue(v)
        case .uint(let v): return NumericValue(v)
        case .double(let v): return NumericValue(v)
        default: return nil
        }
    }
}

/// A number normalised for comparison: integers exactly, others as doubles.
private enum NumericValue: Equatable {
    case integer(negative: Bool, magnitude: UInt64)
    case real(Double)

    init(_ value: Int64) { self = .integer(negative: value < 0, magnitude: value.magnitude) }
    init(_ value: UInt64) { self = .integer(negative: false, magnitude: value) }
    init(_ value: Double) {
        if value.rounded() == value, let exact = UInt64(exactly: value.magnitude) {
            self = .integer(negative: value < 0, magnitude: exact)
        } else {
            self = .real(value)
        }
    }
}
