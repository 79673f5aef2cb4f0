/// A fixed-capacity ring buffer between a relay's read and write sides: the
/// bound on how much a stream holds while its destination is slow.
///
/// The storage is allocated at the first fill: a stream that splices (pipe
/// to FIFO, no copy through user space) never needs it, and a shim keeps one
/// such stream per stdio of every container, so it costs no memory there.
struct RelayBuffer {
    private var storage: [UInt8] = []
    private let limit: Int
    private var head = 0
    private(set) var count = 0

    init(capacity: Int) { limit = capacity }

    var capacity: Int { limit }
    var isEmpty: Bool { count == 0 }
    var isFull: Bool { count == limit }

    /// Fills the free space after the tail with `body`, which returns how many bytes it wrote (or a negative failure).
    mutating func fill(_ body: (UnsafeMutableRawBufferPointer) -> Int) -> Int {
        if storage.isEmpty { storage = [UInt8](repeating: 0, count: limit) }
        let tail = (head + count) % storage.count
        let length = tail >= head && !(count > 0 && tail == head) ? storage.count - tail : head - tail
        let produced = storage.withUnsafeMutableBytes { raw in
            body(UnsafeMutableRawBufferPointer(rebasing: raw[tail..<(tail + length)]))
        }
        if produced > 0 { count += produced }
        return produced
    }

    /// Offers the contiguous bytes at the head to `body`, which returns how many it consumed (or a negative failure).
    mutating func drain(_ body: (UnsafeRawBufferPointer) -> Int) -> Int {
        guard !storage.isEmpty else { return body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        let length = min(count, storage.count - head)
        let consumed = storage.withUnsafeBytes { raw in body(UnsafeRawBufferPointer(rebasing: raw[head..<(head + length)])) }
        if consumed > 0 {
            head = (head + consumed) % storage.count
            count -= consumed
            if count == 0 { head = 0 }
        }
        return consumed
    }
}
