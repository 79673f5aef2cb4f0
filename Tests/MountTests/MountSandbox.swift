import Foundation
import Mount
import TestSupport

/// A temporary directory with a private tmpfs on it, so the test's mounts
/// neither propagate to the host's mount peers nor outlive the test.
final class MountSandbox: @unchecked Sendable {
    let directory: TemporaryDirectory
    var root: String { directory.path }

    init() throws {
        directory = try TemporaryDirectory(prefix: "mount-test")
        try Mounter.mount(FilesystemMount(type: "tmpfs", source: "mount-test", target: directory.path, options: ["mode=755"]))
        do {
            try Mounter.mount(FilesystemMount(type: "", source: "", target: directory.path, options: ["private"]))
        } catch {
            try? Mounter.unmount(directory.path, lazy: true)
            throw error
        }
    }

    func dir(_ name: String) throws -> String {
        let path = "\(root)/\(name)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    func write(_ name: String, _ text: String) throws {
        try text.write(toFile: "\(root)/\(name)", atomically: false, encoding: .utf8)
    }

    /// Unmounts everything below and at the sandbox, and removes it.
    func close() throws {
        try Mounter.unmountRecursive(root)
        directory.remove()
    }

    func mounted(_ path: String) throws -> MountInfo? {
        try MountTable.read().entries.last { $0.target == path }
    }
}
