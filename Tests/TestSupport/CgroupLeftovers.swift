import Foundation

/// Removes the empty cgroup directories named `name` at the top of every
/// hierarchy (and their empty children): the parents runc and containerd
/// create for a test (`/<namespace>/<id>`, runc removing only `<id>`).
/// Directories that still hold processes stay, and so are seen as leftovers.
public enum CgroupLeftovers {
    public static func remove(_ name: String) {
        guard !name.isEmpty, !name.contains("/") else { return }
        let root = "/sys/fs/cgroup"
        for hierarchy in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [] {
            removeTree("\(root)/\(hierarchy)/\(name)")
        }
    }

    private static func removeTree(_ path: String) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { return }
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
            var childIsDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: "\(path)/\(entry)", isDirectory: &childIsDirectory), childIsDirectory.boolValue {
                removeTree("\(path)/\(entry)")
            }
        }
        rmdir(path)
    }
}
