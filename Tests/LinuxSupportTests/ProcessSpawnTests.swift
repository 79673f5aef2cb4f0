import SystemPackage
import Testing

@testable import LinuxSupport

#if canImport(Glibc)
    import Glibc
#endif

/// The one posix_spawn: descriptor maps (including sources that are also
/// targets), PATH lookup, directory, environment and process groups.
@Suite struct ProcessSpawnTests {
    /// Runs `/bin/sh -c script` with `descriptors` and returns what it wrote to its stdout and its exit status.
    private func run(_ script: String, descriptors: (Int32) -> [Int32], spawn: (inout ProcessSpawn) -> Void = { _ in })
        throws -> (output: String, status: Int32)
    {
        let output = try OwnedDescriptor.pipe()
        var request = ProcessSpawn(executable: "sh", arguments: ["sh", "-c", script], descriptors: descriptors(output.write.rawValue))
        spawn(&request)
        let pid = try request.run()
        let reader = try output.read.duplicate()
        _ = consume output
        var text: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(reader.rawValue, &buffer, buffer.count)
            if count <= 0 { break }
            text += buffer[0..<count]
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (String(decoding: text, as: UTF8.self), (status >> 8) & 0xff)
    }

    @Test func theChildGetsExactlyTheMappedDescriptors() throws {
        // stdout from our pipe, fd 3 the same pipe, fd 4 closed.
        let result = try run("echo out; echo three >&3; echo four >&4 2>/dev/null || echo no-four", descriptors: { [0, $0, 2, $0, -1] })
        #expect(result.output == "out\nthree\nno-four\n")
        #expect(result.status == 0)
    }

    @Test func aSourceThatIsAlsoATargetIsNotOverwritten() throws {
        // Child fd 1 <- our pipe and child fd 2 <- our fd 1: done naively
        // in order, fd 2 would get the pipe that fd 1 already became.
        let result = try run("[ /proc/self/fd/1 -ef /proc/self/fd/2 ] && echo same || echo different", descriptors: { [0, $0, 1] })
        #expect(result.output == "different\n")
    }

    @Test func directoryEnvironmentAndGroupApply() throws {
        let result = try run(
            #"echo "$PWD $GREETING"; [ "$(ps -o pgid= -p $$ | tr -d ' ')" = "$$" ] && echo own-group"#,
            descriptors: { [0, $0, 2] },
            spawn: {
                $0.directory = "/tmp"
                $0.environment = ["GREETING=hi", "PATH=/usr/bin:/bin"]
                $0.grouping = .newProcessGroup
            })
        #expect(result.output.hasPrefix("/tmp hi\n"))
        #expect(result.output.contains("own-group"))
    }

    @Test func aMissingProgramIsENOENT() {
        #expect(throws: Errno.noSuchFileOrDirectory) {
            _ = try ProcessSpawn(executable: "/nonexistent/program", arguments: ["x"]).run()
        }
    }
}
