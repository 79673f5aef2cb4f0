import Foundation
import OCISpec
import Testing

/// The direct JSON path (parser + generated readers/writers) against the
/// Codable path, and the parser against tricky and hostile input.
@Suite struct JSONParserTests {
    @Test func escapesAndUnicode() throws {
        let text = #"{"a":"q\"b\\s\/n\nt\tu\u00e9\ud83d\ude00 raw é"}"#
        #expect(try json(Array(text.utf8)) == .object(["a": .string("q\"b\\s/n\nt\tué😀 raw é")]))
        let written = try OCIJSON.encode(JSONValue.object(["a": .string("\u{1}\"\\\n")]), style: .compact)
        #expect(String(decoding: written, as: UTF8.self) == #"{"a":"\u0001\"\\\n"}"#)
    }

    @Test func numbers() throws {
        #expect(
            try json(Array("[0,-1,9223372036854775807,9223372036854775808,-9223372036854775808,18446744073709551615,1.5,2e3,-0.0]".utf8))
                == .array([
                    .int(0), .int(-1), .int(Int64.max), .uint(1 << 63), .int(Int64.min), .uint(UInt64.max), .double(1.5), .double(2000),
                    .double(-0.0),
                ]))
        #expect(try json(Array("18446744073709551616".utf8)) == .double(18446744073709551616))
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\":}", "01", "1.", "-", "\"\\x\"", "tru", "[1 2]", "{\"a\" 1}", "\"a\nb\"", "{} x", "nul",
    ])
    func rejectsMalformed(_ text: String) {
        #expect(throws: OCISpecError.self) { try OCIJSON.decode(JSONValue.self, from: Array(text.utf8)) }
    }

    @Test func refusesDeepNesting() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: OCISpecError.self) { try OCIJSON.decode(JSONValue.self, from: Array(deep.utf8)) }
        let fine = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect(throws: Never.self) { try OCIJSON.decode(JSONValue.self, from: Array(fine.utf8)) }
    }

    @Test func integersMustFit() {
        #expect(throws: OCISpecError.self) {
            try OCIJSON.decode(LinuxIDMapping.self, from: Array(#"{"containerID":-1,"hostID":0,"size":1}"#.utf8))
        }
        #expect(throws: OCISpecError.self) {
            try OCIJSON.decode(LinuxIDMapping.self, from: Array(#"{"containerID":1.5,"hostID":0,"size":1}"#.utf8))
        }
        #expect(throws: OCISpecError.self) {
            try OCIJSON.decode(LinuxIDMapping.self, from: Array(#"{"containerID":4294967296,"hostID":0,"size":1}"#.utf8))
        }
    }

    /// A type embedding OCISpec models in its own Codable struct goes
    /// through Foundation's coders; the result must match the direct path.
    @Test(arguments: Paths.fixtures(in: "valid") + Paths.fixtures(in: "extensions"))
    func codablePathAgreesWithDirectPath(_ path: String) throws {
        let bytes = try read(path)
        guard case .object(let object) = try json(bytes), DocumentKind.detect(object) == .config else { return }
        let direct = try OCIJSON.decode(Spec.self, from: bytes)
        let viaFoundation = try JSONDecoder().decode(Spec.self, from: Data(bytes))
        #expect(direct == viaFoundation)
        let reencoded = try JSONEncoder().encode(direct)
        #expect(try json(Array(reencoded)).differences(from: json(OCIJSON.encode(direct))) == [])
    }
}
