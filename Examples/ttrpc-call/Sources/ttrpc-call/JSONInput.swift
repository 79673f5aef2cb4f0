import Foundation

/// Reads a request's JSON text with Foundation's JSONDecoder into ``JSON``.
enum JSONInput {
    static func parse(_ text: String) throws(CallError) -> JSON {
        do {
            return try JSONDecoder().decode(Value.self, from: Data(text.utf8)).json
        } catch {
            throw CallError.usage("the request is not valid JSON: \(Self.reason(error))")
        }
    }

    private static func reason(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            return (context.underlyingError as? NSError)?.userInfo[NSDebugDescriptionErrorKey] as? String ?? context.debugDescription
        }
        return "\(error)"
    }

    /// Any JSON value, decoded by trying each kind in turn.
    private struct Value: Decodable {
        var json: JSON

        init(from decoder: any Decoder) throws {
            if let container = try? decoder.container(keyedBy: Key.self) {
                json = .object(
                    try container.allKeys.sorted { $0.stringValue < $1.stringValue }.map {
                        ($0.stringValue, try container.decode(Value.self, forKey: $0).json)
                    })
                return
            }
            if var container = try? decoder.unkeyedContainer() {
                var items: [JSON] = []
                while !container.isAtEnd { items.append(try container.decode(Value.self).json) }
                json = .array(items)
                return
            }
            let single = try decoder.singleValueContainer()
            if single.decodeNil() {
                json = .null
            } else if let flag = try? single.decode(Bool.self) {
                json = .bool(flag)
            } else if let integer = try? single.decode(Int64.self) {
                json = .number(String(integer))
            } else if let integer = try? single.decode(UInt64.self) {
                json = .number(String(integer))
            } else if let number = try? single.decode(Double.self) {
                json = .number(String(number))
            } else {
                json = .string(try single.decode(String.self))
            }
        }
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
