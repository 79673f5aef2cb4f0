/// A terminal's size, as TIOCGWINSZ and TIOCSWINSZ carry it (`struct winsize`).
public struct WindowSize: Hashable, Sendable, CustomStringConvertible {
    public var rows: UInt16
    public var columns: UInt16
    public var xPixels: UInt16
    public var yPixels: UInt16

    public init(rows: UInt16, columns: UInt16, xPixels: UInt16 = 0, yPixels: UInt16 = 0) {
        self.rows = rows
        self.columns = columns
        self.xPixels = xPixels
        self.yPixels = yPixels
    }

    public var description: String { "\(rows)x\(columns)" }
}
