import Foundation

/// Runs programs for tests and captures what they print. Tests are not the
/// shim, so Foundation's `Process` is fine here: nothing else in a test
/// process reaps children.
public struct CommandResult: Sendable {
    public var status: Int32
    public var stdout: [UInt8]
    public var stderr: [UInt8]

    public var output: String { String(decoding: stdout, as: UTF8.self) }
    public var errors: String { String(decoding: stderr, as: UTF8.self) }
}

public struct CommandError: Error, CustomStringConvertible {
    public var command: [String]
    public var result: CommandResult

    public init(command: [String], result: CommandResult) {
        self.command = command
        self.result = result
    }

    public var description: String {
        "\(command.joined(separator: " ")) exited \(result.status): \(result.errors)\(result.output)"
    }
}

public enum Command {
    /// Runs `arguments` (the first is looked up in PATH) with `input` on stdin.
    public static func run(
        _ arguments: [String], input: [UInt8] = [], directory: String? = nil, environment: [String: String]? = nil
    ) throws -> CommandResult {
        var resolved = arguments
        resolved[0] = try resolve(arguments[0])
        let child = try Spawn.start(resolved, directory: directory, environment: environment)
        return Spawn.finish(child, input: input)
    }

    /// Like ``run(_:input:directory:environment:)`` but throws unless the exit status is 0.
    @discardableResult
    public static func check(_ arguments: [String], input: [UInt8] = [], directory: String? = nil) throws -> CommandResult {
        let result = try run(arguments, input: input, directory: directory)
        guard result.status == 0 else { throw CommandError(command: arguments, result: result) }
        return result
    }

    /// Like ``check(_:input:directory:)``, but waits on a Dispatch thread so
    /// the caller's concurrency-pool thread stays free (a server under test
    /// in this process may need it to answer the program).
    @discardableResult
    public static func checkOffPool(_ arguments: [String], input: [UInt8] = [], directory: String? = nil) async throws -> CommandResult {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try check(arguments, input: input, directory: directory) })
            }
        }
    }

    /// Like ``run(_:input:directory:environment:)``, off the concurrency pool.
    public static func runOffPool(_ arguments: [String], input: [UInt8] = [], directory: String? = nil) async throws -> CommandResult {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try run(arguments, input: input, directory: directory) })
            }
        }
    }

    /// The absolute path of a program, searching PATH and the sbin directories.
    public static func resolve(_ name: String) throws -> String {
        if name.hasPrefix("/") { return name }
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/local/sbin:/usr/sbin:/sbin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw CommandError(command: [name], result: CommandResult(status: 127, stdout: [], stderr: Array("not found in PATH".utf8)))
    }
}
