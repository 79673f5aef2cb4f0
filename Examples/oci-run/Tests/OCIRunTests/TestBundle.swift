import OCISpec
import Reaper

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A bundle in a temporary directory: busybox-static as the root
/// filesystem and `runc spec`'s config with no terminal and a writable root.
struct TestBundle {
    let directory: String
    var path: String { directory + "/bundle" }
    var rootfs: String { path + "/rootfs" }

    static func make() async throws -> TestBundle {
        var template = Array("/tmp/oci-run-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw TestFailure("mkdtemp failed") }
        let bundle = TestBundle(directory: String(cString: made))
        let setup = """
            mkdir -p \(bundle.rootfs)/bin && cp /bin/busybox \(bundle.rootfs)/bin/ && \
            for name in sh sleep cat echo dd stty tty touch; do ln -s busybox \(bundle.rootfs)/bin/$name; done && \
            cd \(bundle.path) && runc spec
            """
        let output = try await Tool.reaper().run(ReaperCommand("/bin/sh", ["-c", setup]))
        guard output.exit.code == 0 else { throw TestFailure("bundle setup failed: \(output.stderrText)") }
        var spec = try Spec.load(from: .init(bundle.path + "/config.json"))
        spec.process?.terminal = false
        spec.root?.readonly = false
        try spec.write(to: .init(bundle.path + "/config.json"))
        return bundle
    }

    /// Whether `name` exists in the bundle's own rootfs.
    func rootfsHas(_ name: String) -> Bool { access(rootfs + "/" + name, F_OK) == 0 }

    func remove() async {
        _ = try? await Tool.reaper().run(ReaperCommand("/bin/rm", ["-rf", directory]))
    }
}

/// oci-run, run by the tests through the Reaper.
enum Tool {
    static func reaper() throws -> Reaper { try Reaper.start() }

    /// The oci-run binary built beside this test bundle.
    static var path: String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        let executable =
            count > 0 ? String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self) : CommandLine.arguments[0]
        return String(executable[..<(executable.lastIndex(of: "/") ?? executable.endIndex)]) + "/oci-run"
    }

    /// Runs oci-run to its end (60 s at most), collecting its output.
    static func run(_ arguments: [String]) async throws -> ReaperOutput {
        try await reaper().run(ReaperCommand(path, arguments, timeout: .seconds(60)))
    }

    /// Whether anything of run `id` is left: its directory, its mount, its cgroup.
    static func leftovers(of id: String) -> [String] {
        var found: [String] = []
        if access("/run/oci-run/\(id)", F_OK) == 0 { found.append("/run/oci-run/\(id)") }
        if let table = fopen("/proc/self/mountinfo", "r") {
            var line: UnsafeMutablePointer<CChar>?
            var capacity = 0
            while getline(&line, &capacity, table) > 0 {
                if let line, String(cString: line).contains("/run/oci-run/\(id)") { found.append("a mount under /run/oci-run/\(id)") }
            }
            free(line)
            fclose(table)
        }
        for hierarchy in ["memory", "pids", "cpu", "unified", ""] where access("/sys/fs/cgroup/\(hierarchy)/oci-run/\(id)", F_OK) == 0 {
            found.append("/sys/fs/cgroup/\(hierarchy)/oci-run/\(id)")
        }
        return found
    }
}

/// A test's own setup failed.
struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
