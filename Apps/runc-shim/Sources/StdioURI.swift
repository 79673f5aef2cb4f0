/// Where containerd asks a process's stdout (and stderr) to go: a FIFO
/// path, `file:///path`, or `binary:///path?key=value&flag` (a logger
/// program, its query turned into arguments). Parsing only; no I/O.
enum StdioURI: Equatable {
    case fifo(String)
    case file(path: String)
    case binary(path: String, arguments: [String])

    init(_ text: String) {
        if text.hasPrefix("file://") {
            self = .file(path: String(text.dropFirst("file://".count)))
        } else if text.hasPrefix("binary://") {
            let rest = text.dropFirst("binary://".count)
            let parts = rest.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
            var arguments: [String] = []
            if parts.count == 2 {
                // As containerd does: the pairs sorted by key, `key value` or just `key`.
                for pair in parts[1].split(separator: "&").sorted() {
                    let keyValue = pair.split(separator: "=", maxSplits: 1)
                    arguments.append(Self.percentDecoded(String(keyValue[0])))
                    if keyValue.count == 2, !keyValue[1].isEmpty { arguments.append(Self.percentDecoded(String(keyValue[1]))) }
                }
            }
            self = .binary(path: Self.percentDecoded(String(parts.first ?? "")), arguments: arguments)
        } else {
            self = .fifo(text)
        }
    }

    var isFile: Bool {
        if case .file = self { return true }
        return false
    }

    /// `%XX` escapes decoded; a malformed escape is kept as written.
    static func percentDecoded(_ text: String) -> String {
        var bytes: [UInt8] = []
        let input = Array(text.utf8)
        var index = 0
        while index < input.count {
            if input[index] == UInt8(ascii: "%"), index + 2 < input.count,
                let value = UInt8(String(decoding: input[(index + 1)...(index + 2)], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                index += 3
            } else {
                bytes.append(input[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
