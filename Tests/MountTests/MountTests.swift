import Foundation
import Mount
import SystemPackage
import Testing

/// Serialized, in declaration order: the last test checks that the others
/// left nothing mounted.
@Suite(.serialized) struct MountTests {
    @Test func tmpfsWithOptions() throws {
        let box = try MountSandbox()
        defer { try? box.close() }
        let target = try box.dir("tmp")
        try Mounter.mount(
            FilesystemMount(
                type: "tmpfs", source: "swift-tmpfs", target: target, options: ["nosuid", "nodev", "noexec", "size=1m", "mode=700"]))
        let info = try #require(try box.mounted(target))
        #expect(info.type == "tmpfs" && info.source == "swift-tmpfs")
        #expect(["nosuid", "nodev", "noexec"].allSatisfy { info.options.split(separator: ",").contains(Substring($0)) }, "\(info.options)")
        #expect(info.superOptions.contains("size=1024k") && info.superOptions.contains("mode=700"), "\(info.superOptions)")
        try Mounter.unmount(target)
        #expect(try box.mounted(target) == nil)
        try box.close()
    }

    @Test func bindAndRecursiveBind() throws {
        let box = try MountSandbox()
        defer { try? box.close() }
        let source = try box.dir("source")
        let sub = try box.dir("source/sub")
        try Mounter.mount(FilesystemMount(type: "tmpfs", source: "inner", target: sub))
        try box.write("source/sub/marker", "inner")
        let plain = try box.dir("plain")
        let recursive = try box.dir("recursive")
        try Mounter.mount(FilesystemMount(type: "bind", source: source, target: plain, options: ["bind"]))
        try Mounter.mount(FilesystemMount(type: "bind", source: source, target: recursive, options: ["rbind"]))
        #expect(!FileManager.default.fileExists(atPath: "\(plain)/sub/marker"), "a plain bind does not carry submounts")
        #expect(FileManager.default.fileExists(atPath: "\(recursive)/sub/marker"), "rbind carries submounts")
        try box.close()
    }

    /// statx's mount-root attribute agrees with the mount table, also for a
    /// bind mount of a directory on the same filesystem (same st_dev).
    @Test func mountRootWithoutTheMountTable() throws {
        let box = try MountSandbox()
        defer { try? box.close() }
        #expect(try Mounter.isMountRoot(box.root) == true)
        let plain = try box.dir("plain")
        #expect(try Mounter.isMountRoot(plain) == false)
        #expect(try Mounter.isMountRoot(box.root + "/missing") == false)
        let source = try box.dir("source")
        let bound = try box.dir("bound")
        try Mounter.mount(FilesystemMount(type: "bind", source: source, target: bound, options: ["bind"]))
        #expect(try Mounter.isMountRoot(bound) == true)
        #expect(try MountTable.read().isMountPoint(bound))
        try FileManager.default.createSymbolicLink(atPath: box.root + "/link", withDestinationPath: bound)
        #expect(try Mounter.isMountRoot(box.root + "/link") == false, "a final symlink is not followed")
        try Mounter.unmount(bound)
        #expect(try Mounter.isMountRoot(bound) == false)
        try box.close()
    }

    @Test func readOnlyBind() throws {
        let box = try MountSandbox()
        defer { try? box.close() }
        let source = try box.dir("data")
        let target = try box.dir("ro")
        try Mounter.mount(FilesystemMount(type: "bind", source: source, target: target, options: ["rbind", "ro"]))
        let info = try #require(try box.mounted(target))
        #expect(info.options.split(separator: ",").first == "ro", "\(info.options)")
        #expect(throws: (any Error).self) { try "x".write(toFile: "\(target)/file", atomically: false, encoding: .utf8) }
        #expect(access(target, W_OK) != 0 && errno == EROFS)
        try box.close()
    }

    @Test func propagationChangesShowInMountinfo() throws {
        let box = try MountSandbox()
        defer { try? box.close() }
        let target = try box.dir("prop")
        try Mounter.mount(FilesystemMount(type: "tmpfs", source: "prop", target: target))
        #expect(try box.mounted(target)?.propagation == "private")
        try Mounter.mount(FilesystemMount(type: "", source: "", target: target, options: ["shared"]))
        let shared = try #require(try box.mounted(target))
        #expect(shared.propagation == "shared", "\(shared.optionalFields)")
        let peer = try box.dir("peer")
        try Mounter.mount(FilesystemMount(type: "bind", source: target, target: peer, options: ["bind", "slave"]))
        #expect(try box.mounted(peer)?.propagation == "slave")
        try Mounter.mount(FilesystemMount(type: "", source: "", target: target, options: ["unbindable"]))
        #expect(try box.mounted(target)?.propagation == "unbindable")
        try box.close()
    }

    @Test(arguments: [1, 200])
    func overlay(lowerCount: Int) throws {
        let box = try MountSandbox()
        defer { try? box.close() }
        var lowers: [String] = []
        for index in 0..<lowerCount {
            // Long names, so 200 of them are far longer than a page.
            let lower = try box.dir("layers/lower-directory-with-a-long-name-\(String(format: "%04d", index))")
            try "\(index)".write(toFile: "\(lower)/layer-\(index)", atomically: false, encoding: .utf8)
            lowers.append(lower)
        }
        try "bottom".write(toFile: "\(lowers[lowerCount - 1])/shared", atomically: false, encoding: .utf8)
        try "top".write(toFile: "\(lowers[0])/shared", atomically: false, encoding: .utf8)
        let upper = try box.dir("upper")
        let work = try box.dir("work")
        let merged = try box.dir("merged")
        let options = ["lowerdir=\(lowers.joined(separator: ":"))", "upperdir=\(upper)", "workdir=\(work)"]
        #expect(lowerCount == 1 || options.joined(separator: ",").utf8.count > 4096)
        try Mounter.mount(FilesystemMount(type: "overlay", source: "overlay", target: merged, options: options))
        #expect(try String(contentsOfFile: "\(merged)/shared", encoding: .utf8) == "top")
        #expect(try String(contentsOfFile: "\(merged)/layer-\(lowerCount - 1)", encoding: .utf8) == "\(lowerCount - 1)")
        try "new".write(toFile: "\(merged)/written", atomically: false, encoding: .utf8)
        #expect(FileManager.default.fileExists(atPath: "\(upper)/written"))
        #expect(try box.mounted(merged)?.type == "overlay")
        try box.close()
    }

    @Test func unmountAllRemovesStackedMounts() throws {
        let box = try MountSandbox()
        defer { try? box.close() }
        let target = try box.dir("stack")
        for layer in 0..<3 {
            try Mounter.mount(FilesystemMount(type: "tmpfs", source: "stack-\(layer)", target: target))
        }
        #expect(try MountTable.read().entries.filter { $0.target == target }.count == 3)
        #expect(try MountTable.read().mount(containing: target + "/x")?.source == "stack-2")
        try Mounter.unmountAll(target)
        #expect(try !MountTable.read().isMountPoint(target))
        try box.close()
    }

    @Test func recursiveUnmountRemovesANestedTree() throws {
        let box = try MountSandbox()
        defer { try? box.close() }
        let top = try box.dir("tree")
        try Mounter.mount(FilesystemMount(type: "tmpfs", source: "tree", target: top))
        for path in ["a", "a/b", "a/b/c", "d"] {
            let directory = "\(top)/\(path)"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try Mounter.mount(FilesystemMount(type: "tmpfs", source: "tree-\(path)", target: directory))
        }
        #expect(try MountTable.read().mounts(under: top).count == 5)
        try Mounter.unmountRecursive(top)
        #expect(try MountTable.read().mounts(under: top).isEmpty)
        try box.close()
    }

    @Test func busyMountNeedsLazyDetach() throws {
        let box = try MountSandbox()
        defer { try? box.close() }
        let target = try box.dir("busy")
        try Mounter.mount(FilesystemMount(type: "tmpfs", source: "busy", target: target))
        let fd = open(target, O_RDONLY | O_DIRECTORY)
        // An open directory does not make a mount busy for umount2; a process's cwd does.
        // Keep it simple: a busy mount made by a nested mount under it.
        let nested = target + "/nested"
        mkdir(nested, 0o755)
        try Mounter.mount(FilesystemMount(type: "tmpfs", source: "nested", target: nested))
        #expect {
            try Mounter.unmount(target, retries: 2)
        } throws: { error in
            (error as? MountError)?.errno == .resourceBusy && (error as? MountError)?.target == target
        }
        try Mounter.unmount(target, lazy: true)
        close(fd)
        #expect(try !MountTable.read().isMountPoint(target))
        try box.close()
    }

    @Test func badInputIsAClearError() throws {
        let box = try MountSandbox()
        defer { try? box.close() }
        let target = try box.dir("bad")
        #expect {
            try Mounter.mount(FilesystemMount(type: "bind", source: "\(box.root)/does-not-exist", target: target, options: ["rbind"]))
        } throws: { error in
            let error = error as? MountError
            return error?.errno == .noSuchFileOrDirectory && error?.code == .notFound
                && error?.description.contains("does-not-exist") == true
        }
        #expect {
            try Mounter.mount(FilesystemMount(type: "nosuchfs", source: "x", target: target))
        } throws: { error in
            let error = error as? MountError
            return error?.errno == Errno(rawValue: ENODEV) && error?.code == .invalid && error?.description.contains("nosuchfs") == true
                && error?.description.contains(target) == true
        }
        #expect {
            try Mounter.mount(FilesystemMount(type: "tmpfs", source: "x", target: target, options: ["no_such_option=1"]))
        } throws: { error in
            let error = error as? MountError
            return error?.errno == .invalidArgument && error?.code == .invalid && error?.description.contains(target) == true
        }
        #expect {
            try Mounter.mount(FilesystemMount(type: "tmpfs", source: "x", target: "\(box.root)/missing-target"))
        } throws: { error in
            (error as? MountError)?.description.contains("missing-target") == true
        }
        #expect {
            try Mounter.mount([FilesystemMount(type: "tmpfs", source: "x", target: "../../etc")], within: box.root)
        } throws: { error in
            (error as? MountError)?.code == .outsideRoot && (error as? MountError)?.description.contains("outside the root") == true
        }
        #expect(try !MountTable.read().isMountPoint(target))
        try box.close()
    }

    @Test func securePathKeepsSymlinksInside() throws {
        let box = try MountSandbox()
        defer { try? box.close() }
        let root = try box.dir("rootfs")
        _ = try box.dir("rootfs/real/dir")
        symlink("/real", "\(root)/abs")
        symlink("../../../../..", "\(root)/up")
        symlink("loop2", "\(root)/loop1")
        symlink("loop1", "\(root)/loop2")
        #expect(try SecurePath.resolve("/abs/dir", within: root) == "\(root)/real/dir")
        #expect(try SecurePath.resolve("/up/etc", within: root) == "\(root)/etc")
        #expect(try SecurePath.resolve("new/child", within: root) == "\(root)/new/child")
        #expect(throws: MountError.self) { try SecurePath.resolve("/loop1", within: root) }
        let target = try SecurePath.resolve("/abs/dir", within: root)
        try Mounter.mount([FilesystemMount(type: "tmpfs", source: "inside", target: "/abs/dir")], within: root)
        #expect(try box.mounted(target)?.source == "inside")
        try box.close()
    }

    @Test func mountinfoEscapesAreDecoded() throws {
        let box = try MountSandbox()
        defer { try? box.close() }
        let target = try box.dir("with space\tand tab")
        try Mounter.mount(FilesystemMount(type: "tmpfs", source: "spaced", target: target))
        #expect(try box.mounted(target)?.source == "spaced")
        try box.close()
    }

    @Test func optionsParseIntoFlagsPropagationAndData() {
        let options = MountOptions(["rbind", "ro", "nosuid", "rslave", "private", "mode=755", "size=64m", "noatime", "rw"])
        #expect(options.isBind)
        #expect(!options.isReadOnly, "a later rw clears ro")
        #expect(options.flags.isSuperset(of: [.noSetUID, .noAccessTime, .recursive]))
        #expect(options.propagation == [[.slave, .recursive], .private])
        #expect(options.flags.rawValue & UInt(MS_BIND) != 0, "the raw bits are mount(2)'s")
        #expect(options.data == ["mode=755", "size=64m"])
        #expect(MountOptions.isKeyword("rshared") && !MountOptions.isKeyword("lowerdir=/a"))
    }

    /// Runs last: nothing any test of this suite mounted is still mounted.
    @Test func zzSuiteLeavesNothingMounted() throws {
        let leftovers = try MountTable.read().entries.filter { $0.target.contains("/mount-test.") }
        #expect(leftovers.isEmpty, "still mounted: \(leftovers.map(\.target))")
    }
}
