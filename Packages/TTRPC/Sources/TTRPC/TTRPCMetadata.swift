/// Request metadata: keys are case-insensitive (stored lower case, as Go's
/// ttrpc does) and may carry several values.
public struct TTRPCMetadata: Hashable, Sendable, ExpressibleByDictionaryLiteral {
    private var storage: [String: [String]] = [:]

    /// Empty metadata.
    public init() {}

    public init(dictionaryLiteral elements: (String, String)...) {
        for (key, value) in elements { append(key, value) }
    }

    /// The first value for `key`.
    public subscript(key: String) -> String? {
        storage[key.lowercased()]?.first
    }

    /// Every value for `key`.
    public func values(_ key: String) -> [String] {
        storage[key.lowercased()] ?? []
    }

    /// Replaces the values of `key`; no values removes it.
    public mutating func set(_ key: String, _ values: String...) {
        storage[key.lowercased()] = values.isEmpty ? nil : values
    }

    /// Adds a value to `key`.
    public mutating func append(_ key: String, _ value: String) {
        storage[key.lowercased(), default: []].append(value)
    }

    /// Every key and its values.
    public var entries: [(key: String, values: [String])] {
        storage.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// Whether there are no entries.
    public var isEmpty: Bool { storage.isEmpty }

    init(_ pairs: [TTRPCKeyValue]) {
        for pair in pairs { storage[pair.key, default: []].append(pair.value) }
    }

    var keyValues: [TTRPCKeyValue] {
        entries.flatMap { key, values in
            values.map { value in
                var pair = TTRPCKeyValue()
                pair.key = key
                pair.value = value
                return pair
            }
        }
    }
}
