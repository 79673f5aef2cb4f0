import Mount
import Runc
import SwiftProtobuf

#if canImport(Glibc)
    import Glibc
#endif

/// `delete`: containerd runs this when a shim died or to clean up. It
/// removes the socket, force-deletes the container with runc, unmounts the
/// rootfs, and prints a DeleteResponse with init's pid and status 137.
enum DeleteAction {
    /// The common case, answered at once: containerd 1.6 runs `delete` after
    /// every task delete, when the serving shim has already deleted the
    /// container and unmounted its rootfs. If runc keeps no state for the
    /// container and the rootfs is no mount root (statx), there is nothing
    /// to clean: no runc, no thread, no mount table. Nil when something
    /// may be left (a SIGKILLed shim): ``run(_:)`` does the full cleanup.
    static func runIfNothingLeft(_ flags: ShimFlags) -> Int32? {
        let bundle = bundleDirectory(flags)
        let saved = SavedOptions.read(bundle: bundle)
        var info = stat()
        guard stat(saved.root + "/" + flags.namespace + "/" + flags.id, &info) != 0, errno == ENOENT else { return nil }
        guard (try? Mounter.isMountRoot(bundle + "/rootfs")) == false else { return nil }
        removeSocket(flags)
        return respond(bundle: bundle)
    }

    static func run(_ flags: ShimFlags) async -> Int32 {
        let bundle = bundleDirectory(flags)
        removeSocket(flags)
        let saved = SavedOptions.read(bundle: bundle)
        let runc = Runc(binary: saved.binary, root: saved.root + "/" + flags.namespace)
        // A failure is not fatal here: the rootfs and the response matter more.
        try? await runc.delete(flags.id, force: true)
        let rootfs = bundle + "/rootfs"
        if (try? MountTable.read().mounts(under: rootfs).isEmpty) == false {
            if (try? Mounter.unmountRecursive(rootfs)) == nil { try? Mounter.unmountRecursive(rootfs, lazy: true) }
        }
        return respond(bundle: bundle)
    }

    /// `-bundle`, or the working directory containerd starts us in.
    private static func bundleDirectory(_ flags: ShimFlags) -> String {
        guard flags.bundle.isEmpty else { return flags.bundle }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX))
        return getcwd(&buffer, buffer.count).map { _ in
            String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        } ?? "."
    }

    private static func removeSocket(_ flags: ShimFlags) {
        if !flags.address.isEmpty {
            unlink(StartAction.socketPath(address: flags.address, namespace: flags.namespace, id: flags.id))
        }
    }

    /// Prints the DeleteResponse: init's pid from the bundle, status 137, now.
    private static func respond(bundle: String) -> Int32 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        var response = ShimDeleteResponse()
        response.pid = UInt32(bitPattern: TaskService.readPid(bundle + "/init.pid") ?? 0)
        response.exitStatus = 128 + UInt32(SIGKILL)
        response.exitedAt = Google_Protobuf_Timestamp(seconds: Int64(time.tv_sec), nanos: Int32(time.tv_nsec))
        guard let bytes: [UInt8] = try? response.serializedBytes() else { return 1 }
        _ = bytes.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
        return 0
    }
}

/// The runc root and binary a task was created with, kept in the bundle
/// (`options.json`) so the `delete` action can find the container.
struct SavedOptions {
    var root = "/run/containerd/runc"
    var binary = "runc"

    static func write(_ options: RuncOptions, bundle: String) {
        let root = options.root.isEmpty ? "/run/containerd/runc" : options.root
        let binary = options.binaryName.isEmpty ? "runc" : options.binaryName
        writeFile(bundle + "/options.json", "{\"root\":\"\(escape(root))\",\"binary_name\":\"\(escape(binary))\"}")
    }

    static func read(bundle: String) -> SavedOptions {
        var saved = SavedOptions()
        let text = String(decoding: readFile(bundle + "/options.json"), as: UTF8.self)
        if let root = value(of: "root", in: text), !root.isEmpty { saved.root = root }
        if let binary = value(of: "binary_name", in: text), !binary.isEmpty { saved.binary = binary }
        return saved
    }

    private static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            if character == "\\" || character == "\"" { result.append("\\") }
            result.append(character)
        }
        return result
    }

    private static func value(of key: String, in text: String) -> String? {
        guard let range = text.firstRange(of: "\"\(key)\":\"") else { return nil }
        var result = ""
        var escaped = false
        for character in text[range.upperBound...] {
            if escaped {
                result.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "\"" {
                return result
            } else {
                result.append(character)
            }
        }
        return nil
    }
}
