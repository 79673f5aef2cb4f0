import CLinuxSupport
import SystemPackage

/// Signals taken from a descriptor instead of a handler: pthread_sigmask(3)
/// to block them and signalfd(2) to read them.
package enum SignalSet {
    /// Blocks `signals` in the calling thread and the threads it creates
    /// afterwards; they stay pending until a signalfd reads them.
    package static func block(_ signals: [Int32]) {
        signals.withUnsafeBufferPointer { _ = clinux_mask_signals($0.baseAddress, Int32($0.count), 1) }
    }

    /// A non-blocking, close-on-exec signalfd for `signals` (which must be
    /// blocked in every thread to be seen reliably).
    package static func descriptor(for signals: [Int32]) throws(Errno) -> OwnedDescriptor {
        let fd = try signals.withUnsafeBufferPointer { (list) throws(Errno) -> Int32 in
            try SystemCall.retrying("signalfd") { clinux_signalfd(list.baseAddress, Int32(list.count)) }
        }
        return OwnedDescriptor(taking: fd)
    }

    /// Every signal queued on a signalfd, in order, without waiting.
    package static func drain(_ descriptor: borrowing OwnedDescriptor) -> [Int32] {
        var signals: [Int32] = []
        while true {
            let signal = clinux_read_signal(descriptor.rawValue)
            guard signal > 0 else { return signals }
            signals.append(signal)
        }
    }
}
