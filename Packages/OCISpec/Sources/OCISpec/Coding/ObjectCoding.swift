/// A JSON object key given by its string.
struct JSONKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// Reads a JSON object field by field, the way Go's encoding/json does: a
/// missing or `null` field takes its zero value, and every key that was not
/// read is returned by ``rest()`` so it can be written back unchanged.
struct ObjectReader {
    private let container: KeyedDecodingContainer<JSONKey>
    private var read: Set<String> = []

    init(_ decoder: any Decoder) throws {
        container = try decoder.container(keyedBy: JSONKey.self)
    }

    /// A field Go models as a pointer or with `omitempty`: absent stays `nil`.
    mutating func optional<T: Decodable>(_ key: String) throws -> T? {
        read.insert(key)
        return try container.decodeIfPresent(T.self, forKey: JSONKey(key))
    }

    /// A field Go always writes: absent takes `zero`, as Go would.
    mutating func field<T: Decodable>(_ key: String, zero: T) throws -> T {
        read.insert(key)
        return try container.decodeIfPresent(T.self, forKey: JSONKey(key)) ?? zero
    }

    /// Every key that no call above asked for.
    func rest() throws -> JSONObject {
        var result: JSONObject = [:]
        for key in container.allKeys where !read.contains(key.stringValue) {
            result[key.stringValue] = try container.decode(JSONValue.self, forKey: key)
        }
        return result
    }
}

/// Writes a JSON object field by field; the counterpart of ``ObjectReader``.
struct ObjectWriter {
    private var container: KeyedEncodingContainer<JSONKey>

    init(_ encoder: any Encoder) {
        container = encoder.container(keyedBy: JSONKey.self)
    }

    /// A field that is always written, zero or not.
    mutating func put<T: Encodable>(_ value: T, _ key: String) throws {
        try container.encode(value, forKey: JSONKey(key))
    }

    /// A field that is written only when present.
    mutating func putIfPresent<T: Encodable>(_ value: T?, _ key: String) throws {
        try container.encodeIfPresent(value, forKey: JSONKey(key))
    }

    /// Keys the model does not know, written back as they were read.
    mutating func putRest(_ fields: JSONObject) throws {
        for (key, value) in fields {
            try container.encode(value, forKey: JSONKey(key))
        }
    }
}
