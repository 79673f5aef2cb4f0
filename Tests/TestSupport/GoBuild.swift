import Foundation
import Synchronization

/// Builds Go programs from Debian's Go packages in GOPATH mode (no network:
/// the sources come from /usr/share/gocode), once per test process.
public enum GoBuild {
    private static let built = Mutex<[String: String]>([:])

    /// ``binary(for:name:)`` on a Dispatch thread: a first build takes
    /// seconds, which must not hold one of the few threads of the
    /// concurrency pool that the tests running beside it need.
    public static func binaryOffPool(for sourceDirectory: String, name: String) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try binary(for: sourceDirectory, name: name) })
            }
        }
    }

    /// Builds the `main` package in `sourceDirectory` and returns the binary's path.
    /// `PREBUILT_GO_PROGRAMS` names a directory of programs built beforehand
    /// (the test guest has no Go toolchain; `make test-vm` builds them on the
    /// host): `name` there is used as is.
    public static func binary(for sourceDirectory: String, name: String) throws -> String {
        if let path = built.withLock({ $0[sourceDirectory] }) { return path }
        if let directory = ProcessInfo.processInfo.environment["PREBUILT_GO_PROGRAMS"], !directory.isEmpty {
            let prebuilt = directory + "/" + name
            guard FileManager.default.isExecutableFile(atPath: prebuilt) else {
                throw CommandError(command: [prebuilt], result: CommandResult(status: 127, stdout: [], stderr: Array("not prebuilt".utf8)))
            }
            return prebuilt
        }
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
/// Its stdout is collected into a temporary file.
public final class BackgroundProcess: @unchecked Sendable {
    private let pid: pid_t
    private let outputPath: String
    private var stopped = false

    public init(_ arguments: [String]) throws {
        outputPath = "/tmp/background-output-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        let fd = open(outputPath, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0o600)
        defer { close(fd) }
        var resolved = arguments
        resolved[0] = try Command.resolve(arguments[0])
        let child = try Spawn.start(resolved, directory: nil, environment: nil, output: fd)
        close(child.stdin)
        close(child.stdout)
        close(child.stderr)
        pid = child.pid
    }

    public var processIdentifier: Int32 { pid }

    /// Waits until `path` exists (a socket the program creates).
    public func waitForFile(_ path: String, timeout: TimeInterval = 20) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !FileManager.default.fileExists(atPath: path) {
            guard Date() < deadline, !stopped, kill(pid, 0) == 0 else {
                throw CommandError(
                    command: [outputPath], result: CommandResult(status: -1, stdout: [], stderr: Array("never created \(path)".utf8)))
            }
            usleep(10_000)
        }
    }

    /// Waits up to `timeout` for the program to exit on its own: its exit
    /// code, or 128 plus the signal; nil if it is still running.
    public func waitForExit(timeout: TimeInterval = 20) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let status = Spawn.exitStatusIfExited(pid) {
                stopped = true
                return status
            }
            usleep(2_000)
        }
        return nil
    }

    /// SIGTERM, then SIGKILL after 5 s; reaped either way.
    public func stop() {
        guard !stopped else { return }
        stopped = true
        kill(pid, SIGTERM)
        Spawn.reap(pid, within: 5)
    }

    /// Everything the program wrote; call after it stopped.
    public var collectedOutput: String {
        (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    }

    deinit {
        stop()
        unlink(outputPath)
    }
}
