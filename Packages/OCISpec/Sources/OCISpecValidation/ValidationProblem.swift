import OCISpec

/// One thing wrong with a document, located by its JSON path.
public struct ValidationProblem: Hashable, Sendable, CustomStringConvertible {
    /// The class of problem, for programs that act on them.
    public enum Kind: String, Hashable, Sendable {
        /// The input is not JSON or a value has the wrong JSON type.
        case invalidJSON
        /// A field the specification requires is absent.
        case missingField
        /// A name the kernel or library does not know (capability, syscall, arch…).
        case unknownName
        /// A relative path where an absolute one is required.
        case relativePath
        /// The same thing given twice where only one is allowed.
        case duplicate
        /// A number outside what the kernel accepts.
        case outOfRange
        /// A value that is malformed (bad list syntax, bad version…).
        case invalidValue
        /// Settings that contradict each other.
        case conflict
    }

    /// Where the problem is: `process.capabilities.bounding[2]`; `$` is the whole document.
    public var path: String
    /// The class of problem.
    public var kind: Kind
    /// What is wrong, in a sentence.
    public var message: String

    /// A problem at `path` (a JSON path such as `linux.namespaces[2].type`).
    public init(path: String, kind: Kind, message: String) {
        self.path = path.isEmpty ? "$" : path
        self.kind = kind
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}

/// The outcome of validating one document.
public struct ValidationReport: Hashable, Sendable {
    /// Which document was validated.
    public var kind: DocumentKind
    /// Every problem found, in document order; empty when the document is valid.
    public var problems: [ValidationProblem]

    /// Whether there were no problems.
    public var isValid: Bool { problems.isEmpty }
}

/// Collects problems while the checks walk a document.
struct ProblemList {
    private(set) var items: [ValidationProblem] = []

    mutating func add(_ path: String, _ kind: ValidationProblem.Kind, _ message: String) {
        items.append(ValidationProblem(path: path, kind: kind, message: message))
    }

    mutating func requireAbsolute(_ path: String, _ value: String, what: String) {
        if value.isEmpty {
            add(path, .missingField, "\(what) must not be empty")
        } else if !value.hasPrefix("/") {
            add(path, .relativePath, "\(what) must be an absolute path, got \"\(value)\"")
        }
    }

    mutating func requireRange<T: Comparable>(_ path: String, _ value: T?, _ range: ClosedRange<T>, what: String) {
        guard let value, !range.contains(value) else { return }
        add(path, .outOfRange, "\(what) must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
    }
}
