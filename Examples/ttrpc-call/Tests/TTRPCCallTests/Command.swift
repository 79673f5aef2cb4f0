import Foundation

/// What a finished program printed and how it ended.
struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String

    /// stdout parsed as a JSON object.
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any] ?? [:]
    }
}

/// Runs a program to completion with posix_spawn(3) and waitpid(2), its
/// stdout and stderr in temporary files (a daemon it leaves behind, as
/// `shim start` does, cannot hold a pipe open and stall the read).
func runCommand(_ executable: String, _ arguments: [String], directory: String? = nil, environment: [String: String]? = nil)
    throws -> CommandResult
{
    var template = Array("/tmp/ttrpc-call-output-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { throw SceneError("mkdtemp failed") }
    let outputDirectory = String(cString: made)
    defer { try? FileManager.default.removeItem(atPath: outputDirectory) }

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outputDirectory + "/stdout", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, outputDirectory + "/stderr", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    // In another directory: through sh, which changes to it and execs the program.
    let command = directory.map { ["/bin/sh", "-c", #"cd "$0" && exec "$@""#, $0, executable] } ?? [executable]
    let argv = (command + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    let pairs = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
    let envp = pairs.map { strdup($0) } + [nil]
    defer { envp.forEach { free($0) } }

    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, command[0], &actions, nil, argv, envp)
    guard spawned == 0 else { throw SceneError("cannot run \(executable): \(String(cString: strerror(spawned)))") }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let exited = status & 0x7F == 0
    let code = exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    let read = { (name: String) in (try? String(contentsOfFile: outputDirectory + "/" + name, encoding: .utf8)) ?? "" }
    return CommandResult(status: code, stdout: read("stdout"), stderr: read("stderr"))
}

/// The ttrpc-call binary built beside this test bundle.
func toolPath() -> String {
    let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    return URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("ttrpc-call").path
}

/// Runs ttrpc-call with `arguments`.
func ttrpcCall(_ arguments: [String]) throws -> CommandResult {
    try runCommand(toolPath(), arguments)
}
