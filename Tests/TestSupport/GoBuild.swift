import Foundation
import Synchronization

/// Builds Go programs from Debian's Go packages in GOPATH mode (no network:
/// the sources come from /usr/share/gocode), once per test process.
public enum GoBuild {
    private static let built = Mutex<[String: String]>([:])

    /// Builds the `main` package in `sourceDirectory` and returns the binary's path.
    public static func binary(for sourceDirectory: String, name: String) throws -> String {
        if let path = built.withLock({ $0[sourceDirectory] }) { return path }
        let output = "/tmp/swift-container-go-\(getpid())-\(name)"
        let cache = "/tmp/swift-container-gocache"
        let result = try Command.run(
            ["go", "build", "-o", output, "."],
            directory: sourceDirectory,
            environment: [
                "GOPATH": "/usr/share/gocode", "GO111MODULE": "off", "GOCACHE": cache, "GOFLAGS": "",
                "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": "/tmp",
            ])
        guard result.status == 0 else { throw CommandError(command: ["go", "build", sourceDirectory], result: result) }
        built.withLock { $0[sourceDirectory] = output }
        return output
    }
}

/// A program started in the background for a test and stopped by its pid.
public final class BackgroundProcess: @unchecked Sendable {
    private let process = Process()
    private let output = Pipe()

    public init(_ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: try Command.resolve(arguments[0]))
        process.arguments = Array(arguments.dropFirst())
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        try process.run()
    }

    public var pid: Int32 { process.processIdentifier }

    /// Waits until `path` exists (a socket the program creates).
    public func waitForFile(_ path: String, timeout: TimeInterval = 20) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !FileManager.default.fileExists(atPath: path) {
            guard Date() < deadline, process.isRunning else {
                throw CommandError(
                    command: process.arguments ?? [],
                    result: CommandResult(status: -1, stdout: [], stderr: Array("never created \(path)".utf8)))
            }
            usleep(10_000)
        }
    }

    public func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
    }

    /// Everything the program wrote to stdout; call after it stopped.
    public var collectedOutput: String {
        String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    deinit { stop() }
}
