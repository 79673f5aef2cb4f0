import Reaper
import Runc

/// Runc's ProcessMonitor implemented by the Reaper, so that runc is spawned
/// and waited for by the shim's only reaper.
struct ReaperMonitor: ProcessMonitor {
    let reaper: Reaper

    private func stream(_ stream: MonitorCommand.Stream) -> ReaperCommand.Stream {
        switch stream {
        case .null: return .null
        case .inherit: return .inherit
        case .descriptor(let fd): return .descriptor(fd)
        case .pipe: return .pipe
        }
    }

    func run(_ command: MonitorCommand) async throws -> MonitorResult {
        let reaperCommand = ReaperCommand(
            command.executable, command.arguments, environment: command.environment, stdin: stream(command.stdin),
            stdout: stream(command.stdout), stderr: stream(command.stderr), extraDescriptors: command.extraDescriptors,
            input: command.input)
        do {
            let output = try await reaper.run(reaperCommand)
            return MonitorResult(pid: output.exit.pid, exitStatus: output.exit.code, stdout: output.stdout, stderr: output.stderr)
        } catch {
            throw RuncError(command: command.arguments.first ?? command.executable, message: error.description, errno: error.errno)
        }
    }
}
