import CLinuxSupport

/// What a ``Reactor`` watches a descriptor for, and what it reports ready:
/// epoll(7)'s event bits.
package struct ReactorEvents: OptionSet, Sendable, Hashable {
    package let rawValue: UInt32

    package init(rawValue: UInt32) { self.rawValue = rawValue }

    /// EPOLLIN: data to read, a connection to accept, or the end of input.
    package static let readable = ReactorEvents(rawValue: clinux_epollin)
    /// EPOLLOUT: room to write.
    package static let writable = ReactorEvents(rawValue: clinux_epollout)
    /// EPOLLRDHUP: the peer shut down its writing side.
    package static let readHangup = ReactorEvents(rawValue: clinux_epollrdhup)
    /// EPOLLHUP, always reported: hung up.
    package static let hangup = ReactorEvents(rawValue: clinux_epollhup)
    /// EPOLLERR, always reported: an error is pending.
    package static let error = ReactorEvents(rawValue: clinux_epollerr)
    /// EPOLLET: report a readiness change once, not while it lasts.
    package static let edgeTriggered = ReactorEvents(rawValue: clinux_epollet)
}

/// A timer scheduled on a ``Reactor``, for ``Reactor/cancel(_:)``.
package struct ReactorTimer: Hashable, Sendable {
    package let id: UInt64
    package init(id: UInt64) { self.id = id }
}
