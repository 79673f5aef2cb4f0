import Foundation
import TestSupport

/// The two images the pods use, built offline: the sandbox image holding a
/// static pause program (`Pause/pause.c`) and an app image of busybox-static,
/// each packed as an OCI archive by `CRI/oci_image.py` for `ctr images import`.
enum PodImages {
    static let pause = "localhost/swift-test/pause:1"
    static let busybox = "localhost/swift-test/busybox:1"

    /// Builds both archives into `directory`; their paths.
    static func build(in directory: TemporaryDirectory) throws -> [String] {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let pauseRoot = directory.file("images/pause")
        let busyboxRoot = directory.file("images/busybox")
        try FileManager.default.createDirectory(atPath: pauseRoot, withIntermediateDirectories: true)
        try Command.check([
            "cc", "-static", "-Os", "-s", "-o", pauseRoot + "/pause", sources.appendingPathComponent("Pause/pause.c").path,
        ])
        try BusyboxRootfs.create(at: busyboxRoot)
        let packer = sources.appendingPathComponent("CRI/oci_image.py").path
        try Command.check([
            "/usr/bin/python3", packer, "--name", pause, "--rootfs", pauseRoot, "--entrypoint", "[\"/pause\"]",
            "--output", directory.file("images/pause.tar"),
        ])
        try Command.check([
            "/usr/bin/python3", packer, "--name", busybox, "--rootfs", busyboxRoot, "--cmd", "[\"sh\"]",
            "--output", directory.file("images/busybox.tar"),
        ])
        return [directory.file("images/pause.tar"), directory.file("images/busybox.tar")]
    }
}
