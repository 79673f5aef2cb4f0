#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Encoding and decoding of OCI documents (`config.json`, `state.json`,
/// `features.json`) with the conventions runc and containerd use.
public enum OCIJSON {
    /// How the output is laid out.
    public enum Style: Sendable {
        /// One line, as containerd writes specs.
        case compact
        /// Indented, as `runc spec` writes them.
        case pretty
    }

    /// Encodes a document the way Go's encoding/json does: struct fields in
    /// the specification's order, map keys sorted, slashes not escaped; pretty
    /// output is tab-indented like `runc spec`.
    public static func encode<T: Encodable>(_ value: T, style: Style = .pretty) throws(OCISpecError) -> [UInt8] {
        if let writable = value as? any JSONWritable {
            var output = JSONOutput(pretty: style == .pretty)
            writable.write(to: &output)
            return output.bytes
        }
        do {
            return try OrderedJSONEncoder(pretty: style == .pretty).encode(value)
        } catch {
            throw OCISpecError(kind: .encoding, message: "cannot encode: \(error)")
        }
    }

    /// Decodes a document, reporting where in it a bad value sits.
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: some Collection<UInt8>) throws(OCISpecError) -> T {
        if let readable = T.self as? any JSONReadable.Type {
            let document = try JSONParser.parse(bytes)
            if let value = try readable.init(json: document) as? T { return value }
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw describe(error)
        } catch {
            throw OCISpecError(kind: .invalidJSON, message: "\(error)")
        }
    }

    /// Turns a `DecodingError` into a sentence and a JSON path.
    static func describe(_ error: DecodingError) -> OCISpecError {
        switch error {
        case .typeMismatch(let type, let context):
            return OCISpecError(
                kind: .invalidJSON, message: "expected \(describe(type)): \(context.debugDescription)",
                jsonPath: path(context.codingPath))
        case .valueNotFound(let type, let context):
            return OCISpecError(
                kind: .invalidJSON, message: "expected \(describe(type)), found null",
                jsonPath: path(context.codingPath))
        case .keyNotFound(let key, let context):
            return OCISpecError(
                kind: .invalidJSON, message: "missing key \"\(key.stringValue)\"",
                jsonPath: path(context.codingPath))
        case .dataCorrupted(let context):
            let underlying = context.underlyingError.map { " (\($0))" } ?? ""
            return OCISpecError(
                kind: .invalidJSON, message: "\(context.debugDescription)\(underlying)",
                jsonPath: path(context.codingPath))
        @unknown default:
            return OCISpecError(kind: .invalidJSON, message: "\(error)")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "a boolean"
        case is Int.Type, is Int64.Type, is Int32.Type: return "an integer"
        case is UInt.Type, is UInt64.Type, is UInt32.Type, is UInt16.Type: return "a non-negative integer"
        default: return "\(type)"
        }
    }

    /// `process.capabilities.bounding[2]` from a coding path.
    public static func path(_ codingPath: [any CodingKey]) -> String {
        var text = ""
        for key in codingPath {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text
    }
}
