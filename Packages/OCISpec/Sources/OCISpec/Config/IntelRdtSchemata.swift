/// `linux.intelRdt.schemata`: written to the resctrl group's `schemata` file.
///
/// The specification changed its shape: a single string before v1.3 (in
/// development versions that runtimes shipped) and a list of lines since.
/// Both decode, and each is written back in the shape it was read.
public enum IntelRdtSchemata: Hashable, Sendable {
    /// The pre-v1.3 form: one string, lines separated by newlines.
    case text(String)
    /// The v1.3 form: one entry per line.
    case lines([String])

    /// The schemata lines, whichever form they came in.
    public var allLines: [String] {
        switch self {
        case .text(let text): return text.split(separator: "\n").map(String.init)
        case .lines(let lines): return lines
        }
    }
}

extension IntelRdtSchemata: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self = .text(text)
        } else {
            self = .lines(try container.decode([String].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let text): try container.encode(text)
        case .lines(let lines): try container.encode(lines)
        }
    }
}
