import Foundation

/// A root filesystem made from Debian's busybox-static: /bin/busybox and a
/// symlink per applet, plus the directories runc mounts over.
public enum BusyboxRootfs {
    /// Fills `path` (created if needed) with the root filesystem.
    public static func create(at path: String) throws {
        let manager = FileManager.default
        for directory in ["bin", "proc", "sys", "dev", "tmp", "etc", "root"] {
            try manager.createDirectory(atPath: "\(path)/\(directory)", withIntermediateDirectories: true)
        }
        let busybox = ["/bin/busybox", "/usr/bin/busybox"].first { manager.isExecutableFile(atPath: $0) } ?? "/bin/busybox"
        if !manager.fileExists(atPath: "\(path)/bin/busybox") {
            try copyExecutable(busybox, to: "\(path)/bin/busybox")
        }
        let applets = try Command.check([busybox, "--list"]).output.split(separator: "\n")
        for applet in applets where applet != "busybox" {
            let link = "\(path)/bin/\(applet)"
            if (try? manager.destinationOfSymbolicLink(atPath: link)) == nil {
                try manager.createSymbolicLink(atPath: link, withDestinationPath: "busybox")
            }
        }
        try TestFile.write("root:x:0:0:root:/root:/bin/sh\n", to: "\(path)/etc/passwd")
        try TestFile.write("root:x:0:\n", to: "\(path)/etc/group")
    }

    /// Copies with close-on-exec descriptors. A write descriptor inherited by
    /// a child that another test starts at the same moment would keep the
    /// binary "open for writing", and exec'ing it would fail with ETXTBSY.
    private static func copyExecutable(_ source: String, to destination: String) throws {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw CocoaError(.fileReadNoSuchFile) }
        defer { close(input) }
        let output = open(destination, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
        guard output >= 0 else { throw CocoaError(.fileWriteUnknown) }
        defer { close(output) }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = read(input, &buffer, buffer.count)
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            var offset = 0
            while offset < count {
                let written = buffer[offset..<count].withUnsafeBytes { write(output, $0.baseAddress, $0.count) }
                guard written > 0 else { throw CocoaError(.fileWriteUnknown) }
                offset += written
            }
        }
    }
}
