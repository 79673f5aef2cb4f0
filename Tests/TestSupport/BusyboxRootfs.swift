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
            try manager.copyItem(atPath: busybox, toPath: "\(path)/bin/busybox")
        }
        let applets = try Command.check([busybox, "--list"]).output.split(separator: "\n")
        for applet in applets where applet != "busybox" {
            let link = "\(path)/bin/\(applet)"
            if (try? manager.destinationOfSymbolicLink(atPath: link)) == nil {
                try manager.createSymbolicLink(atPath: link, withDestinationPath: "busybox")
            }
        }
        try "root:x:0:0:root:/root:/bin/sh\n".write(toFile: "\(path)/etc/passwd", atomically: true, encoding: .utf8)
        try "root:x:0:\n".write(toFile: "\(path)/etc/group", atomically: true, encoding: .utf8)
    }
}
