import OCISpec

/// Checks OCI documents and reports every problem with its JSON path.
///
/// Capability names are checked with libcap and seccomp names with
/// libseccomp, so the answer reflects what this host's libraries know.
///
/// ```swift
/// let report = SpecValidator().validate(json: bytes)
/// for problem in report.problems { print(problem) }  // "process.cwd: must be an absolute path…"
/// ```
public struct SpecValidator: Sendable {
    /// A validator; it holds no state, so one can be shared.
    public init() {}

    /// Validates a JSON document. `kind` nil detects it from its keys.
    public func validate(json bytes: [UInt8], kind: DocumentKind? = nil) -> ValidationReport {
        let document: JSONValue
        do {
            document = try OCIJSON.decode(JSONValue.self, from: bytes)
        } catch {
            var problems = ProblemList()
            problems.add(error.jsonPath ?? "", .invalidJSON, "not valid JSON: \(error.message)")
            return ValidationReport(kind: kind ?? .config, problems: problems.items)
        }
        guard case .object(let object) = document else {
            var problems = ProblemList()
            problems.add("", .invalidJSON, "a document must be a JSON object")
            return ValidationReport(kind: kind ?? .config, problems: problems.items)
        }
        let kind = kind ?? DocumentKind.detect(object)
        var problems = ProblemList()
        RequiredFields.check(document, kind: kind, into: &problems)
        do {
            switch kind {
            case .config: ConfigChecks.check(try OCIJSON.decode(Spec.self, from: bytes), into: &problems)
            case .state: StateChecks.check(try OCIJSON.decode(State.self, from: bytes), into: &problems)
            case .features: StateChecks.check(try OCIJSON.decode(Features.self, from: bytes), into: &problems)
            }
        } catch {
            problems.add(error.jsonPath ?? "", .invalidJSON, error.message)
        }
        return ValidationReport(kind: kind, problems: problems.items)
    }

    /// Validates a config already in memory. Required fields the model
    /// cannot tell apart from zero values (an empty `cwd`) are still reported.
    public func validate(_ spec: Spec) -> ValidationReport {
        var problems = ProblemList()
        if let bytes = try? OCIJSON.encode(spec, style: .compact),
            let document = try? OCIJSON.decode(JSONValue.self, from: bytes)
        {
            RequiredFields.check(document, kind: .config, into: &problems)
        }
        ConfigChecks.check(spec, into: &problems)
        return ValidationReport(kind: .config, problems: problems.items)
    }
}

/// The checks of a `config.json`, section by section.
enum ConfigChecks {
    static func check(_ spec: Spec, into problems: inout ProblemList) {
        if !ListSyntax.isSemanticVersion(spec.ociVersion) {
            problems.add("ociVersion", .invalidValue, "must be a SemVer version such as 1.2.0, got \"\(spec.ociVersion)\"")
        }
        if let root = spec.root, root.path.isEmpty {
            problems.add("root.path", .missingField, "the rootfs path must not be empty")
        }
        if let process = spec.process {
            ProcessChecks.check(process, into: &problems)
        }
        for (index, mount) in (spec.mounts ?? []).enumerated() {
            MountChecks.check(mount, at: "mounts[\(index)]", into: &problems)
        }
        if let hooks = spec.hooks {
            for (name, list) in hooks.all {
                for (index, hook) in list.enumerated() {
                    let path = "hooks.\(name)[\(index)]"
                    problems.requireAbsolute("\(path).path", hook.path, what: "a hook path")
                    if let timeout = hook.timeout, timeout <= 0 {
                        problems.add("\(path).timeout", .outOfRange, "a hook timeout must be positive, got \(timeout)")
                    }
                }
            }
        }
        if let linux = spec.linux {
            LinuxChecks.check(linux, process: spec.process, into: &problems)
        }
    }
}
