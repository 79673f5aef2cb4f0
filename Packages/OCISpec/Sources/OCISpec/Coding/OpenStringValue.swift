/// A string-valued enumeration that runtimes treat as an open set (seccomp
/// actions, architectures, namespace types, capability names…): well-known
/// values are offered as static constants, and any other string decodes and
/// encodes unchanged, so a config written for a newer runtime still loads.
public protocol OpenStringValue: RawRepresentable, Codable, Hashable, Sendable,
    ExpressibleByStringLiteral, CustomStringConvertible
where RawValue == String {
    /// Any string, known to this library or not.
    init(rawValue: String)
}

extension OpenStringValue {
    /// A value from a string literal, such as `"SCMP_ACT_ERRNO"`.
    public init(stringLiteral value: String) { self.init(rawValue: value) }
    public var description: String { rawValue }

    /// Decodes a JSON string as it is; any string is accepted.
    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    /// Encodes the raw string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

extension JSONWritable where Self: OpenStringValue {
    func write(to output: inout JSONOutput) { output.string(rawValue) }
}

extension JSONReadable where Self: OpenStringValue {
    init(json: JSONValue) throws(OCISpecError) {
        self.init(rawValue: try String(json: json))
    }
}
