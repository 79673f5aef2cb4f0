import CLibmount
import CMountLinux
internal import LinuxSupport
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Mounts and unmounts through libmount's context interface (`mnt_context_*`)
/// with mount helpers disabled: libmount never forks `/sbin/mount.*`, so a
/// process with a reaper stays the only waiter on its children. libmount
/// applies the options in the order the kernel needs: a bind first, then a
/// read-only remount, and propagation changes as calls of their own.
public enum Mounter {
    /// Mounts `mount`. Its target must exist.
    public static func mount(_ mount: FilesystemMount) throws(MountError) {
        let failure = { (detail: String?, errno: Errno?) in
            MountError(operation: "mount", source: mount.source, target: mount.target, type: mount.type, errno: errno, detail: detail)
        }
        var info = stat()
        guard stat(mount.target, &info) == 0 else { throw failure("the target does not exist", Errno(rawValue: errno)) }
        let options = mount.parsedOptions
        let isBind = mount.type == "bind" || options.isBind
        if isBind {
            guard stat(mount.source, &info) == 0 else { throw failure("the bind source does not exist", Errno(rawValue: errno)) }
        }
        var optionList = mount.options.filter { !$0.isEmpty }
        if mount.type == "bind", !options.isBind { optionList.insert("bind", at: 0) }
        let joined = optionList.joined(separator: ",")
        if mount.type == "overlay", joined.utf8.count >= Int(getpagesize()) - 1 {
            try mountLongOverlay(mount, options: options)
            return
        }
        guard let context = mnt_new_context() else { throw failure("libmount could not allocate a context", .noMemory) }
        defer { mnt_free_context(context) }
        mnt_context_disable_helpers(context, 1)
        mnt_context_disable_mtab(context, 1)
        mnt_context_set_optsmode(context, Int32(MNT_OMODE_NOTAB))
        // A propagation change alone (`private`, `rshared`…) has no source or type.
        if !mount.source.isEmpty { mnt_context_set_source(context, mount.source) }
        mnt_context_set_target(context, mount.target)
        if !isBind, !mount.type.isEmpty { mnt_context_set_fstype(context, mount.type) }
        if !joined.isEmpty { mnt_context_set_options(context, joined) }
        let result = mnt_context_mount(context)
        try check(context, result, failure: failure)
    }

    /// Mounts each of `mounts` at its target inside `root`, resolving the
    /// target with ``SecurePath`` so symlinks cannot lead outside.
    public static func mount(_ mounts: [FilesystemMount], within root: String) throws(MountError) {
        for mount in mounts {
            var inside = mount
            inside.target = try SecurePath.resolve(mount.target, within: root)
            try self.mount(inside)
        }
    }

    /// Unmounts the top mount at `target`, retrying while it is busy
    /// (EBUSY) up to `retries` times 50 ms apart; `lazy` detaches it instead
    /// (MNT_DETACH), for a mount that stays busy.
    public static func unmount(_ target: String, lazy: Bool = false, retries: Int = 50) throws(MountError) {
        var attempt = 0
        while true {
            guard let context = mnt_new_context() else { throw MountError(operation: "unmount", target: target, errno: .noMemory) }
            mnt_context_disable_helpers(context, 1)
            mnt_context_disable_mtab(context, 1)
            mnt_context_set_target(context, target)
            if lazy { mnt_context_enable_lazy(context, 1) }
            let result = mnt_context_umount(context)
            do {
                try check(context, result) { detail, errno in
                    MountError(operation: "unmount", target: target, errno: errno, detail: detail)
                }
                mnt_free_context(context)
                return
            } catch {
                mnt_free_context(context)
                if error.errno == .resourceBusy, attempt < retries {
                    attempt += 1
                    usleep(50_000)
                    continue
                }
                throw error
            }
        }
    }

    /// Whether `path` is the root of a mount, asked of statx(2)
    /// (`STATX_ATTR_MOUNT_ROOT`, a final symlink not followed) instead of
    /// reading the mount table. A path that does not exist is no mount
    /// point. Nil when the kernel cannot tell (before Linux 5.8): read
    /// ``MountTable`` then.
    public static func isMountRoot(_ path: String) throws(MountError) -> Bool? {
        switch cmount_is_mount_root(path) {
        case 1: return true
        case 0: return false
        default:
            let error = Errno(rawValue: errno)
            if error == .noSuchFileOrDirectory || error == .notDirectory { return false }
            if error == .notSupported { return nil }
            throw MountError(operation: "statx", target: path, errno: error)
        }
    }

    /// Unmounts `target` until nothing is mounted there (stacked mounts).
    public static func unmountAll(_ target: String, lazy: Bool = false) throws(MountError) {
        var passes = 0
        while try MountTable.read().isMountPoint(target) {
            passes += 1
            guard passes <= 1000 else {
                throw MountError(operation: "unmount all", target: target, detail: "still mounted after 1000 unmounts")
            }
            try unmount(target, lazy: lazy)
        }
    }

    /// Unmounts every mount at or below `path`, deepest first.
    public static func unmountRecursive(_ path: String, lazy: Bool = false) throws(MountError) {
        let table = try MountTable.read()
        let targets = table.mounts(under: path).map(\.target)
        // Deepest first; of mounts stacked on one target, the last mounted first.
        let ordered = targets.enumerated().sorted {
            let depth0 = $0.element.split(separator: "/").count
            let depth1 = $1.element.split(separator: "/").count
            return depth0 != depth1 ? depth0 > depth1 : $0.offset > $1.offset
        }.map(\.element)
        for target in ordered {
            if try MountTable.read().isMountPoint(target) { try unmount(target, lazy: lazy) }
        }
    }

    /// Turns libmount's result into an error when the mount or unmount failed.
    private static func check(
        _ context: OpaquePointer, _ result: Int32, failure: (String?, Errno?) -> MountError
    ) throws(MountError) {
        var buffer = [CChar](repeating: 0, count: 1024)
        let code = mnt_context_get_excode(context, result, &buffer, buffer.count)
        guard code != MNT_EX_SUCCESS else { return }
        let syscallErrno = mnt_context_syscall_called(context) != 0 ? mnt_context_get_syscall_errno(context) : 0
        let errno: Errno? =
            syscallErrno != 0 ? Errno(rawValue: syscallErrno) : (result < 0 ? Errno(rawValue: -result) : nil)
        let message = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        throw failure(message.isEmpty ? nil : message, errno)
    }

    /// An overlay whose options do not fit the page mount(2) takes: the new
    /// mount API, one `lowerdir+` per layer (Linux 6.8 and later).
    private static func mountLongOverlay(_ mount: FilesystemMount, options: MountOptions) throws(MountError) {
        var lowers: [String] = []
        var others: [String] = []
        for option in options.data {
            if option.hasPrefix("lowerdir=") {
                lowers += option.dropFirst("lowerdir=".count).split(separator: ":").map(String.init)
            } else {
                others.append(option)
            }
        }
        var failedKey: UnsafePointer<CChar>?
        let result = CStringArray.with(lowers) { lowerPointers in
            CStringArray.with(others) { otherPointers in
                lowerPointers.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: lowers.count + 1) { lowerList in
                    otherPointers.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: others.count + 1) { otherList in
                        cmount_overlay(
                            mount.target, lowerList, Int32(lowers.count), otherList, Int32(others.count), options.isReadOnly ? 1 : 0,
                            &failedKey)
                    }
                }
            }
        }
        guard result == 0 else {
            let error = Errno(rawValue: errno)
            let key = failedKey.map { String(cString: $0) }
            throw MountError(
                operation: "mount", source: mount.source, target: mount.target, type: "overlay", errno: error,
                detail: key.map { "the kernel refused overlay option \($0) (\(lowers.count) lower directories; lowerdir+ needs Linux 6.8)" }
            )
        }
        for change in options.propagation where Glibc.mount("", mount.target, nil, change.rawValue, nil) != 0 {
            throw MountError(operation: "mount (propagation)", target: mount.target, errno: Errno(rawValue: errno))
        }
    }
}
