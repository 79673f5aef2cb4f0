import OCISpec
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A typed client for the runc command line, as go-runc is for Go.
///
/// Each method builds one runc command line, hands it to the
/// ``ProcessMonitor``, and turns failures into a ``RuncError`` carrying
/// runc's own message. runc's errors are read from its JSON log (a
/// temporary `--log` file per call when no ``log`` is set) and, failing
/// that, from its stderr.
///
/// ```swift
/// var runc = Runc(root: "/run/containerd/runc/default")
/// try await runc.create("web", bundle: "/bundles/web", options: CreateOptions(pidFile: "/bundles/web/init.pid"))
/// try await runc.start("web")
/// let state = try await runc.state("web")       // state.status == "running"
/// ```
public struct Runc: Sendable {
    /// The runc binary: a path, or a name looked up in PATH.
    public var binary: String
    /// `--root`: where runc keeps container state.
    public var root: String?
    /// `--log`: runc's log file. Nil: a temporary file per call, deleted after.
    public var log: String?
    /// `--log-format`.
    public var logFormat: LogFormat
    /// `--systemd-cgroup`.
    public var systemdCgroup: Bool
    /// `--debug`.
    public var debug: Bool
    /// Environment for runc; nil inherits ours.
    public var environment: [String]?
    /// How runc is spawned and waited for.
    public var monitor: any ProcessMonitor

    /// runc's `--log-format`.
    public enum LogFormat: String, Sendable {
        /// Lines of text, as runc writes by default.
        case text
        /// One JSON object per line (`level`, `msg`, `time`): how Runc reads runc's errors.
        case json
    }

    /// A client for the runc binary `binary` (a path, or a name looked up in
    /// PATH) with runc's global options; nothing runs until a command is called.
    public init(
        binary: String = "runc", root: String? = nil, log: String? = nil, logFormat: LogFormat = .json,
        systemdCgroup: Bool = false, debug: Bool = false, environment: [String]? = nil,
        monitor: any ProcessMonitor = DirectMonitor()
    ) {
        self.binary = binary
        self.root = root
        self.log = log
        self.logFormat = logFormat
        self.systemdCgroup = systemdCgroup
        self.debug = debug
        self.environment = environment
        self.monitor = monitor
    }

    /// The global options, given the log file this call uses.
    func globalArguments(log: String?) -> [String] {
        var arguments: [String] = []
        if let root { arguments += ["--root", root] }
        if let log { arguments += ["--log", log] }
        arguments += ["--log-format", logFormat.rawValue]
        if systemdCgroup { arguments.append("--systemd-cgroup") }
        if debug { arguments.append("--debug") }
        return arguments
    }

    /// The full command line for `subcommand arguments`, as each command runs it
    /// (with the configured log, or `<temporary log>` for the per-call one).
    public func commandLine(_ arguments: [String]) -> [String] {
        [binary] + globalArguments(log: log ?? "<temporary log>") + arguments
    }

    /// What one invocation needs.
    struct Invocation {
        var arguments: [String]
        var containerID: String?
        var stdin: MonitorCommand.Stream = .null
        var stdout: MonitorCommand.Stream = .pipe
        var stderr: MonitorCommand.Stream = .pipe
        var input: [UInt8] = []
        var extraDescriptors: [Int32] = []
    }

    /// Runs runc; throws a ``RuncError`` with runc's message when it fails.
    @discardableResult
    func execute(_ invocation: Invocation) async throws(RuncError) -> MonitorResult {
        let subcommand = invocation.arguments.first ?? ""
        let logFile = try RuncLogFile(configured: log, command: subcommand)
        defer { logFile.finish() }
        let command = MonitorCommand(
            executable: RuntimeLookup.resolve(binary, environment: environment),
            arguments: globalArguments(log: logFile.path) + invocation.arguments,
            environment: environment, stdin: invocation.stdin, stdout: invocation.stdout, stderr: invocation.stderr,
            extraDescriptors: invocation.extraDescriptors, input: invocation.input)
        let result: MonitorResult
        do {
            result = try await monitor.run(command)
        } catch {
            throw startFailure(error, command: subcommand, containerID: invocation.containerID)
        }
        guard result.exitStatus == 0 else {
            let message =
                RuncErrorText.message(inLog: logFile.newContents()) ?? RuncErrorText.message(inOutput: result.stderr)
                ?? RuncErrorText.message(inOutput: result.stdout) ?? "runc exited with status \(result.exitStatus)"
            throw RuncError(command: subcommand, containerID: invocation.containerID, exitStatus: result.exitStatus, message: message)
        }
        return result
    }

    /// A monitor's failure to start runc, located at `command` and, when
    /// the binary could not be executed, worded as Go's os/exec words it.
    func startFailure(_ error: any Error, command: String, containerID: String?) -> RuncError {
        var located =
            (error as? RuncError) ?? RuncError(code: .spawnFailed, command: command, message: "cannot run \(binary): \(error)")
        located.command = command
        located.containerID = containerID
        if located.exitStatus == nil, RuntimeLookup.isNotFound(located.errno), let errno = located.errno {
            located.code = .runtimeNotFound
            located.message = RuntimeLookup.message(binary: binary, errno: errno, environment: environment)
        } else if located.exitStatus == nil {
            located.code = .spawnFailed
        }
        return located
    }

    /// Decodes runc's JSON output.
    func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8], command: String, id: String? = nil) throws(RuncError) -> T {
        do {
            return try OCIJSON.decode(T.self, from: bytes)
        } catch {
            throw RuncError(code: .invalidOutput, command: command, containerID: id, message: "cannot parse runc's output: \(error)")
        }
    }
}

/// The log file of one runc call: the configured one (only what this call
/// appends is read) or a temporary one, removed afterwards.
struct RuncLogFile {
    let path: String
    private let temporary: Bool
    private let startOffset: Int

    init(configured: String?, command: String) throws(RuncError) {
        if let configured {
            path = configured
            temporary = false
            var info = stat()
            startOffset = stat(configured, &info) == 0 ? Int(info.st_size) : 0
            return
        }
        var template = Array("/tmp/runc-log.XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { $0.baseAddress.map { mkstemp($0) } ?? -1 }
        guard fd >= 0 else {
            throw RuncError(
                code: .fileFailed, command: command, message: "cannot create a temporary log file", errno: Errno(rawValue: errno))
        }
        close(fd)  // runc opens it by name
        path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        temporary = true
        startOffset = 0
    }

    /// What runc wrote to the log during this call.
    func newContents() -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        _ = lseek(fd, off_t(startOffset), SEEK_SET)
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        while bytes.count < 1 << 20 {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        return bytes
    }

    func finish() {
        if temporary { unlink(path) }
    }
}

/// Finds runc's error message in its output.
enum RuncErrorText {
    /// The last `"level":"error"` (or fatal) message of a JSON log.
    static func message(inLog bytes: [UInt8]) -> String? {
        var found: String?
        for line in bytes.split(separator: UInt8(ascii: "\n")) {
            guard let entry = try? OCIJSON.decode(JSONObject.self, from: Array(line)),
                case .string(let level)? = entry["level"], level == "error" || level == "fatal",
                case .string(let message)? = entry["msg"]
            else { continue }
            found = message
        }
        return found
    }

    /// From stderr: a JSON log line, a logfmt line (`level=error msg="…"`),
    /// or the last non-empty line as it is.
    static func message(inOutput bytes: [UInt8]) -> String? {
        if let json = message(inLog: bytes) { return json }
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        for line in lines.reversed() {
            guard line.contains("level=error") || line.contains("level=fatal"), let range = line.firstRange(of: "msg=") else { continue }
            var value = line[range.upperBound...]
            if value.hasPrefix("\"") {
                value = value.dropFirst()
                var text = ""
                var escaped = false
                for character in value {
                    if escaped {
                        text.append(character == "n" ? "\n" : character)
                        escaped = false
                    } else if character == "\\" {
                        escaped = true
                    } else if character == "\"" {
                        break
                    } else {
                        text.append(character)
                    }
                }
                return text
            }
            return String(value.prefix { $0 != " " })
        }
        return lines.last
    }
}
