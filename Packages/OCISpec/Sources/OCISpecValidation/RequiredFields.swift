import OCISpec

/// Finds fields the specification requires but the document lacks.
///
/// The typed model reads an absent required field as Go does (its zero
/// value), so this check runs on the raw JSON, where absence is visible.
enum RequiredFields {
    /// A path pattern: object keys, `*` for any key, `[]` for every element.
    private struct Rule {
        let pattern: [String]
        let keys: [String]
    }

    private static let configRules: [Rule] = [
        Rule(pattern: [], keys: ["ociVersion"]),
        Rule(pattern: ["process"], keys: ["user", "cwd"]),
        Rule(pattern: ["process", "user"], keys: ["uid", "gid"]),
        Rule(pattern: ["process", "consoleSize"], keys: ["height", "width"]),
        Rule(pattern: ["process", "rlimits", "[]"], keys: ["type", "hard", "soft"]),
        Rule(pattern: ["process", "scheduler"], keys: ["policy"]),
        Rule(pattern: ["process", "ioPriority"], keys: ["class", "priority"]),
        Rule(pattern: ["root"], keys: ["path"]),
        Rule(pattern: ["mounts", "[]"], keys: ["destination"]),
        Rule(pattern: ["mounts", "[]", "uidMappings", "[]"], keys: ["containerID", "hostID", "size"]),
        Rule(pattern: ["mounts", "[]", "gidMappings", "[]"], keys: ["containerID", "hostID", "size"]),
        Rule(pattern: ["hooks", "*", "[]"], keys: ["path"]),
        Rule(pattern: ["linux", "uidMappings", "[]"], keys: ["containerID", "hostID", "size"]),
        Rule(pattern: ["linux", "gidMappings", "[]"], keys: ["containerID", "hostID", "size"]),
        Rule(pattern: ["linux", "namespaces", "[]"], keys: ["type"]),
        Rule(pattern: ["linux", "devices", "[]"], keys: ["path", "type"]),
        Rule(pattern: ["linux", "resources", "devices", "[]"], keys: ["allow"]),
        Rule(pattern: ["linux", "resources", "hugepageLimits", "[]"], keys: ["pageSize", "limit"]),
        Rule(pattern: ["linux", "resources", "blockIO", "weightDevice", "[]"], keys: ["major", "minor"]),
        Rule(pattern: ["linux", "resources", "blockIO", "throttleReadBpsDevice", "[]"], keys: ["major", "minor", "rate"]),
        Rule(pattern: ["linux", "resources", "blockIO", "throttleWriteBpsDevice", "[]"], keys: ["major", "minor", "rate"]),
        Rule(pattern: ["linux", "resources", "blockIO", "throttleReadIOPSDevice", "[]"], keys: ["major", "minor", "rate"]),
        Rule(pattern: ["linux", "resources", "blockIO", "throttleWriteIOPSDevice", "[]"], keys: ["major", "minor", "rate"]),
        Rule(pattern: ["linux", "resources", "network", "priorities", "[]"], keys: ["name", "priority"]),
        Rule(pattern: ["linux", "seccomp"], keys: ["defaultAction"]),
        Rule(pattern: ["linux", "seccomp", "syscalls", "[]"], keys: ["names", "action"]),
        Rule(pattern: ["linux", "seccomp", "syscalls", "[]", "args", "[]"], keys: ["index", "value", "op"]),
        Rule(pattern: ["linux", "personality"], keys: ["domain"]),
        Rule(pattern: ["linux", "memoryPolicy"], keys: ["mode"]),
    ]

    private static let stateRules: [Rule] = [
        Rule(pattern: [], keys: ["ociVersion", "id", "status", "bundle"])
    ]

    static func check(_ document: JSONValue, kind: DocumentKind, into problems: inout ProblemList) {
        let rules: [Rule]
        switch kind {
        case .config: rules = configRules
        case .state: rules = stateRules
        case .features: rules = []
        }
        var found: [(path: String, key: String)] = []
        for rule in rules {
            for (path, object) in matches(document, rule.pattern[...], at: "") {
                for key in rule.keys where object[key] == nil {
                    found.append((path, key))
                }
            }
        }
        for (path, key) in found.sorted(by: { ($0.path, $0.key) < ($1.path, $1.key) }) {
            let full = path.isEmpty ? key : "\(path).\(key)"
            problems.add(full, .missingField, "required field \"\(key)\" is missing")
        }
    }

    private static func matches(_ value: JSONValue, _ pattern: ArraySlice<String>, at path: String) -> [(String, JSONObject)] {
        guard let head = pattern.first else {
            if case .object(let object) = value { return [(path, object)] }
            return []
        }
        let rest = pattern.dropFirst()
        switch (head, value) {
        case ("[]", .array(let elements)):
            return elements.enumerated().flatMap { index, element in
                matches(element, rest, at: "\(path)[\(index)]")
            }
        case ("*", .object(let object)):
            return object.keys.sorted().flatMap { key in
                object[key].map { matches($0, rest, at: join(path, key)) } ?? []
            }
        case (_, .object(let object)):
            guard let child = object[head] else { return [] }
            return matches(child, rest, at: join(path, head))
        default:
            return []
        }
    }

    private static func join(_ path: String, _ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }
}
