import Foundation
import OCISpec
import Testing

/// Proves that the hand-written fixtures, together, use every field of every
/// model type: walks each fixture with the schema the models are generated
/// from and lists the (type, key) pairs never seen.
@Suite struct FieldCoverageTests {
    struct Schema {
        var fields: [String: [String: String]] = [:]  // struct -> key -> type
    }

    static func loadSchema() throws -> Schema {
        var schema = Schema()
        let directory = "\(Paths.repository)/scripts/ocispec-schema"
        var current = ""
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) where name.hasSuffix(".schema") {
            for line in try String(contentsOfFile: "\(directory)/\(name)", encoding: .utf8).split(separator: "\n") {
                let words = line.split(separator: " ")
                guard let head = words.first else { continue }
                if head == "struct" || head == "open" {
                    current = head == "struct" ? String(words[1]) : ""
                    if !current.isEmpty { schema.fields[current] = [:] }
                } else if head == "field", !current.isEmpty {
                    schema.fields[current]?[String(words[2])] = String(words[3])
                }
            }
        }
        return schema
    }

    func visit(_ value: JSONValue, as type: String, schema: Schema, seen: inout Set<String>) {
        if type.hasPrefix("[") {
            let inner = String(type.dropFirst().dropLast())
            if let colon = inner.firstIndex(of: ":") {
                let valueType = String(inner[inner.index(after: colon)...])
                if case .object(let members) = value {
                    for member in members.values { visit(member, as: valueType, schema: schema, seen: &seen) }
                }
            } else if case .array(let elements) = value {
                for element in elements { visit(element, as: inner, schema: schema, seen: &seen) }
            }
            return
        }
        guard let fields = schema.fields[type], case .object(let members) = value else { return }
        for (key, member) in members {
            guard let fieldType = fields[key] else { continue }
            seen.insert("\(type).\(key)")
            visit(member, as: fieldType, schema: schema, seen: &seen)
        }
    }

    @Test func fixturesCoverEveryField() throws {
        let schema = try Self.loadSchema()
        #expect(schema.fields.count > 40)
        var seen: Set<String> = []
        for path in Paths.fixtures(in: "valid") + Paths.fixtures(in: "extensions") {
            let document = try json(read(path))
            guard case .object(let object) = document else { continue }
            let root: String
            switch DocumentKind.detect(object) {
            case .config: root = "Spec"
            case .state: root = "State"
            case .features: root = "Features"
            }
            visit(document, as: root, schema: schema, seen: &seen)
        }
        let all = Set(schema.fields.flatMap { type, fields in fields.keys.map { "\(type).\($0)" } })
        let missing = all.subtracting(seen).sorted()
        #expect(missing == [], "fields no fixture uses: \(missing)")
    }
}
