import Reaper
import Runc

/// Lets Runc start runc through the Reaper, so this process has one waiter
/// on children: the container's init, re-parented to us as the subreaper,
/// is then reaped in the same place as runc itself.
struct ReaperMonitor: ProcessMonitor {
    let reaper: Reaper

    func run(_ command: MonitorCommand) async throws -> MonitorResult {
        func stream(_ stream: MonitorCommand.Stream) -> ReaperCommand.Stream {
            switch stream {
            case .null: .null
            case .inherit: .inherit
            case .descriptor(let fd): .descriptor(fd)
            case .pipe: .pipe
            }
        }
        var spawn = ReaperCommand(command.executable, command.arguments, environment: command.environment)
        (spawn.stdin, spawn.stdout, spawn.stderr) = (stream(command.stdin), stream(command.stdout), stream(command.stderr))
        spawn.extraDescriptors = command.extraDescriptors
        spawn.input = command.input
        do {
            let output = try await reaper.run(spawn)
            return MonitorResult(pid: output.exit.pid, exitStatus: output.exit.code, stdout: output.stdout, stderr: output.stderr)
        } catch {
            throw RuncError(command: command.arguments.first ?? command.executable, message: "\(error)", errno: error.errno)
        }
    }
}
