import Synchronization

/// Names recorded from any thread, in order: what a loop's handlers, work
/// items or timers did, for a test to wait on and check.
public final class NameRecord: Sendable {
    private let list = Mutex<[String]>([])

    public init() {}

    public func add(_ name: String) { list.withLock { $0.append(name) } }

    public var names: [String] { list.withLock { $0 } }

    /// Waits until `count` names are recorded, or gives up after 5 s.
    public func wait(for count: Int) async throws {
        for _ in 0..<500 where names.count < count {
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
