import Foundation
import Mount
import Testing

/// Runs after the mount tests (same process): nothing of theirs is still mounted.
@Suite(.serialized) struct LeftoverCheckTests {
    @Test func suiteLeavesNothingMounted() async throws {
        // Let the other mount tests of this run finish first.
        for _ in 0..<600 {
            let ours = try MountTable.read().entries.filter { $0.target.contains("/mount-test.") }
            if ours.isEmpty { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let leftovers = try MountTable.read().entries.filter { $0.target.contains("/mount-test.") }
        #expect(leftovers.isEmpty, "still mounted: \(leftovers.map(\.target))")
    }
}
