import LinuxSupport
import OCISpec
import SwiftProtobuf
import TTRPC

#if canImport(Glibc)
    import Glibc
#endif

/// `start`: containerd runs this in the bundle directory. It creates the
/// socket, writes the `address` file, starts the serving shim with the
/// listener as fd 3, writes `shim.pid`, moves it into the shim cgroup, sets
/// its oom_score_adj above containerd's, prints the address, and exits.
/// Nothing may reach stderr: containerd reads stdout and stderr together.
enum StartAction {
    static let socketDirectory = "/run/containerd/s"

    /// containerd's socket name for a shim: a hash of address, namespace and id.
    static func socketPath(address: String, namespace: String, id: String) -> String {
        let joined = "/" + (address + "/" + namespace + "/" + id).split(separator: "/").joined(separator: "/")
        return socketDirectory + "/" + SHA256.hex(joined)
    }

    static func run(_ flags: ShimFlags) -> Int32 {
        let options = RuntimeOptions.decode(stdin: readAll(0))
        let group: String
        do {
            group = try groupKey(flags)
        } catch {
            print("\(error)")
            return 1
        }
        let path = socketPath(address: flags.address, namespace: flags.namespace, id: group)
        let address = "unix://" + path
        mkdir("/run/containerd", 0o711)
        mkdir(socketDirectory, 0o700)
        let listener: Int32
        do {
            listener = try UnixListener.listen(path: path)
        } catch {
            if error.code == .alreadyExists {
                // A shim for this task already serves this socket: reuse it.
                writeFile("address", address)
                print(address, terminator: "")
                return 0
            }
            print("\(error)")
            return 1
        }
        // Before the child exists, so a failed start never leaks a socket
        // nobody knows about (containerd #5173).
        guard writeFile("address", address) else {
            unlink(path)
            return 1
        }
        // As containerd's shim does when SCHED_CORE is set: a core-scheduling
        // cookie the serving shim (and so its containers) inherits.
        if ProcessEnvironment.value("SCHED_CORE") != nil {
            do {
                try CoreScheduling.createCookieForProcessGroup()
            } catch {
                print("enable sched core support: \(error)")
                unlink(path)
                return 1
            }
        }
        var arguments = [CommandLine.arguments[0], "-namespace", flags.namespace, "-id", flags.id, "-address", flags.address]
        if flags.debug { arguments.append("-debug") }
        if !flags.publishBinary.isEmpty { arguments += ["-publish-binary", flags.publishBinary] }
        guard let pid = spawnServer(arguments, listener: listener) else {
            unlink(path)
            return 1
        }
        close(listener)
        writeFile("shim.pid", String(pid))
        if !options.shimCgroup.isEmpty { ShimCgroup.add(pid: pid, to: options.shimCgroup) }
        adjustOOMScore(pid)
        print(address, terminator: "")
        return 0
    }

    /// The key of the shim this container joins: for runc.v2, the first of
    /// the group annotations the bundle's `config.json` (in the working
    /// directory, the bundle) carries; otherwise, and for runc.v1, the
    /// container's id. An unreadable config.json fails the start, as with
    /// containerd's shim.
    static func groupKey(_ flags: ShimFlags) throws -> String {
        let keys = flags.flavor.groupAnnotations
        guard !keys.isEmpty else { return flags.id }
        let annotations = try OCIJSON.decode(BundleAnnotations.self, from: DocumentFile.read("config.json")).annotations ?? [:]
        return keys.lazy.compactMap { annotations[$0] }.first ?? flags.id
    }

    /// The serving shim: this binary again, in a session of its own, with
    /// /dev/null for stdio and the listening socket as fd 3.
    private static func spawnServer(_ arguments: [String], listener: Int32) -> pid_t? {
        // The resolved path, so the serving shim's name (comm) is the binary's.
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX))
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        let executable = length > 0 ? String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self) : "/proc/self/exe"
        do {
            return try ProcessSpawn.launch(
                executable: executable, arguments: arguments, environment: nil, directory: nil, streams: (.null, .null, .null),
                extra: [listener], grouping: .newSession
            ).pid
        } catch {
            print("cannot start the shim server: \(error.operation): \(error.errno)")
            return nil
        }
    }

    private static func adjustOOMScore(_ pid: pid_t) {
        let own = String(decoding: readFile("/proc/self/oom_score_adj"), as: UTF8.self).filter { $0.isNumber || $0 == "-" }
        guard let score = Int(own) else { return }
        writeFile("/proc/\(pid)/oom_score_adj", String(min(score + 1, 1000)))
    }
}

/// Reading and writing small files with plain system calls.
func readAll(_ fd: Int32) -> [UInt8] {
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = SystemCall.retryingInterrupts("read") { read(fd, &buffer, buffer.count) }
        if count <= 0 { return bytes }
        bytes += buffer[0..<count]
    }
}

func readFile(_ path: String) -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return [] }
    defer { close(fd) }
    return readAll(fd)
}

@discardableResult
func writeFile(_ path: String, _ text: String) -> Bool {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    let bytes = Array(text.utf8)
    return bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == bytes.count
}

/// Moves a process into the cgroup containerd asks for (`ShimCgroup`):
/// every mounted hierarchy (v1 controllers, and v2) that has that path.
enum ShimCgroup {
    static func add(pid: pid_t, to path: String) {
        guard let directory = opendir("/sys/fs/cgroup") else { return }
        defer { closedir(directory) }
        var targets = ["/sys/fs/cgroup" + path + "/cgroup.procs"]
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard !name.hasPrefix(".") else { continue }
            targets.append("/sys/fs/cgroup/\(name)\(path)/cgroup.procs")
        }
        for target in targets where access(target, W_OK) == 0 {
            let fd = open(target, O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else { continue }
            let text = Array(String(pid).utf8)
            _ = text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }
    }
}

/// The one part of a bundle's config.json that `start` reads.
private struct BundleAnnotations: Decodable {
    var annotations: [String: String]?
}
