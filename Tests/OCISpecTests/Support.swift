import Foundation
import OCISpec
import Testing

/// Where the fixtures and the built `oci-spec` binary are.
enum Paths {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    static func fixtures(in folder: String) -> [String] {
        let directory = "\(fixtures)/\(folder)"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted().map { "\(directory)/\($0)" }
    }

    /// The `oci-spec` executable built beside this test bundle.
    static var ociSpecBinary: String {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: executable).deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("oci-spec").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return "oci-spec"
    }
}

func read(_ path: String) throws -> [UInt8] {
    Array(try Data(contentsOf: URL(fileURLWithPath: path)))
}

func json(_ bytes: [UInt8]) throws -> JSONValue {
    try OCIJSON.decode(JSONValue.self, from: bytes)
}

/// Decodes `bytes` as `T`, encodes it again, and expects the same JSON
/// (semantically: member order and number spelling aside). Also expects the
/// re-encoded document to decode to an equal model (the round trip is stable).
func expectRoundTrip<T: Codable & Equatable>(
    _ type: T.Type, _ bytes: [UInt8], _ label: String, sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let model = try OCIJSON.decode(T.self, from: bytes)
    let written = try OCIJSON.encode(model)
    let original = try json(bytes)
    let again = try json(written)
    let differences = original.differences(from: again)
    #expect(differences.isEmpty, "\(label): \(differences.prefix(10))", sourceLocation: sourceLocation)
    #expect(try OCIJSON.decode(T.self, from: written) == model, "\(label): second decode differs", sourceLocation: sourceLocation)
}
