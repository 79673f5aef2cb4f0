import OCISpec
import OCISpecValidation
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The `oci-spec` command line: parses arguments and runs one action.
enum OCISpecCommand {
    static let usage = """
        usage: oci-spec validate [--kind config|state|features] FILE|-
               oci-spec format [--compact] [--kind config|state|features] [FILE|-]
               oci-spec features [--compact]

        validate  print every problem of a document with its JSON path; exit 1 if there are any
        format    decode and re-encode a config, state or features document (stdin when no FILE)
        features  print this host's runtime-spec features (libcap and libseccomp)
        """

    static func run(_ arguments: [String]) -> Int32 {
        guard let action = arguments.first else {
            Output.error(usage)
            return 2
        }
        var options = Options()
        do {
            options = try Options.parse(Array(arguments.dropFirst()))
        } catch {
            Output.error("oci-spec: \(error.message)\n\n\(usage)")
            return 2
        }
        switch action {
        case "validate": return validate(options)
        case "format": return format(options)
        case "features": return features(options)
        case "-h", "--help", "help":
            Output.write(usage + "\n")
            return 0
        default:
            Output.error("oci-spec: unknown action \"\(action)\"\n\n\(usage)")
            return 2
        }
    }

    private static func validate(_ options: Options) -> Int32 {
        guard let input = options.input else {
            Output.error("oci-spec validate: name a FILE, or - for stdin")
            return 2
        }
        let bytes: [UInt8]
        do {
            bytes = try readInput(input)
        } catch {
            Output.error("oci-spec: \(error)")
            return 2
        }
        let report = SpecValidator().validate(json: bytes, kind: options.kind)
        for problem in report.problems {
            Output.write("\(input == "-" ? "<stdin>" : input): \(problem)\n")
        }
        if report.problems.isEmpty {
            Output.write("\(input == "-" ? "<stdin>" : input): valid \(report.kind.rawValue)\n")
            return 0
        }
        Output.error("\(report.problems.count) problem\(report.problems.count == 1 ? "" : "s")")
        return 1
    }

    private static func format(_ options: Options) -> Int32 {
        let input = options.input ?? "-"
        do {
            let bytes = try readInput(input)
            let kind = try options.kind ?? DocumentKind.detect(OCIJSON.decode(JSONObject.self, from: bytes))
            Output.write(try kind.reencode(bytes, style: options.compact ? .compact : .pretty))
            Output.write("\n")
            return 0
        } catch {
            Output.error("oci-spec: \(input == "-" ? "<stdin>" : input): \(error)")
            return 2
        }
    }

    private static func features(_ options: Options) -> Int32 {
        do {
            Output.write(try OCIJSON.encode(HostFeatures.report(), style: options.compact ? .compact : .pretty))
            Output.write("\n")
            return 0
        } catch {
            Output.error("oci-spec: \(error)")
            return 2
        }
    }

    private static func readInput(_ input: String) throws(OCISpecError) -> [UInt8] {
        if input == "-" {
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = chunk.withUnsafeMutableBytes { Glibc.read(0, $0.baseAddress, $0.count) }
                if count < 0 {
                    if errno == EINTR { continue }
                    throw OCISpecError(kind: .io, message: "cannot read stdin", errno: Errno(rawValue: errno))
                }
                if count == 0 { return bytes }
                bytes += chunk[0..<count]
            }
        }
        return try DocumentFile.read(FilePath(input))
    }
}

/// The flags and operand of a command.
struct Options {
    var input: String?
    var kind: DocumentKind?
    var compact = false

    struct UsageError: Error {
        var message: String
    }

    static func parse(_ arguments: [String]) throws(UsageError) -> Options {
        var options = Options()
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            switch argument {
            case "--compact":
                options.compact = true
            case "--kind":
                index += 1
                guard index < arguments.count, let kind = DocumentKind(rawValue: arguments[index]) else {
                    throw UsageError(message: "--kind takes config, state or features")
                }
                options.kind = kind
            default:
                if argument.hasPrefix("--") {
                    throw UsageError(message: "unknown option \(argument)")
                }
                if options.input != nil {
                    throw UsageError(message: "more than one FILE given")
                }
                options.input = argument
            }
            index += 1
        }
        return options
    }
}

/// Unbuffered writes to stdout and stderr.
enum Output {
    static func write(_ text: String) { write(Array(text.utf8)) }
    static func write(_ bytes: [UInt8]) { writeAll(1, bytes) }
    static func error(_ text: String) { writeAll(2, Array((text + "\n").utf8)) }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += written
        }
    }
}
