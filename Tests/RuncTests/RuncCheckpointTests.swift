import Foundation
import OCISpec
import Runc
import TestSupport
import Testing

/// Checkpoint and restore for real, where CRIU works (the test guest, `make
/// test-vm`): a counter in the container goes on from where it was.
@Suite(.serialized, .enabled(if: GuestHost.criuWorks, "needs a working CRIU: make test-vm"))
struct RuncCheckpointTests {
    @Test func aRestoredCounterGoesOnFromTheCheckpoint() async throws {
        let box = try RuncBundle(
            name: "counter", args: ["sh", "-c", "i=0; while true; do i=$((i+1)); echo $i > /tmp/count; sleep 0.1; done"])
        let count = box.directory.file("bundle/rootfs/tmp/count")
        func counter() -> Int {
            Int(((try? String(contentsOfFile: count, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        }
        try await box.runc.run(box.id, bundle: box.bundle, options: CreateOptions(detach: true))
        for _ in 0..<100 where counter() < 10 { try await Task.sleep(for: .milliseconds(100)) }
        let images = box.directory.file("images")
        try FileManager.default.createDirectory(atPath: images, withIntermediateDirectories: true)

        // Leave running: the counter keeps going and the container stays.
        try await box.runc.checkpoint(box.id, options: CheckpointOptions(criu: CRIUOptions(imagePath: images + "/pre"), leaveRunning: true))
        #expect(try await box.runc.state(box.id).status == .running)

        // A checkpoint that stops it, then a restore from it.
        try await box.runc.checkpoint(box.id, options: CheckpointOptions(criu: CRIUOptions(imagePath: images + "/final")))
        #expect(try await box.waitForStatus("gone") == "gone", "the checkpoint stopped and removed the container")
        let atCheckpoint = counter()
        #expect(atCheckpoint >= 10)
        try await box.runc.restore(box.id, bundle: box.bundle, options: RestoreOptions(criu: CRIUOptions(imagePath: images + "/final")))
        #expect(try await box.runc.state(box.id).status == .running)
        // Restarted from scratch it would count from 1 again: every value
        // seen after the restore is at least the checkpoint's, and it grows.
        var seen: [Int] = []
        for _ in 0..<40 {
            seen.append(counter())
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(seen.allSatisfy { $0 >= atCheckpoint }, "from \(atCheckpoint): \(seen)")
        #expect((seen.last ?? 0) > atCheckpoint, "counted on after the restore: \(atCheckpoint) -> \(seen)")
        try await box.runc.kill(box.id, signal: SIGKILL)
        await box.cleanUp()
    }
}
