import Reaper

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The program after the Reaper is running.
enum Program {
    /// Runs the command line with the Reaper running; returns the exit status.
    static func main(reaper: Reaper, signals: SignalForwarder) async -> Int32 {
        // The open-file flags of our stdio: the terminal relay sets O_NONBLOCK on
        // the descriptions it shares with our shell; they are put back at the end.
        let stdioFlags = (0...2).map { fcntl($0, F_GETFL) }
        let options: Options
        do {
            options = try Options.parse(Array(CommandLine.arguments.dropFirst()))
        } catch {
            printError("oci-run: \(error)\n\(Options.usage)")
            return error.exitStatus
        }
        if options.help {
            print(Options.usage)
            return 0
        }
        guard getuid() == 0 else {
            printError("oci-run: run it as root (runc, cgroups and mounts need it)")
            return 125
        }
        let run = ContainerRun(options: options, reaper: reaper, signals: signals)
        var status: Int32
        do {
            status = try await run.run()
        } catch {
            printError("oci-run: \(error)")
            status = error.exitStatus
        }
        if let problem = await run.tearDown() {
            printError("oci-run: \(problem)")
            if status == 0 { status = problem.exitStatus }
        }
        for (fd, flags) in stdioFlags.enumerated() where flags >= 0 { _ = fcntl(Int32(fd), F_SETFL, flags) }
        return status
    }
}
