/// A terminal's size, as TIOCGWINSZ and TIOCSWINSZ carry it (`struct winsize`).
public struct WindowSize: Hashable, Sendable, CustomStringConvertible {
    /// Character rows (`ws_row`).
    public var rows: UInt16
    /// Character columns (`ws_col`).
    public var columns: UInt16
    /// Width in pixels (`ws_xpixel`); usually 0.
    public var xPixels: UInt16
    /// Height in pixels (`ws_ypixel`); usually 0.
    public var yPixels: UInt16

    /// A size in characters, and optionally in pixels.
    public init(rows: UInt16, columns: UInt16, xPixels: UInt16 = 0, yPixels: UInt16 = 0) {
        self.rows = rows
        self.columns = columns
        self.xPixels = xPixels
        self.yPixels = yPixels
    }

    public var description: String { "\(rows)x\(columns)" }
}
