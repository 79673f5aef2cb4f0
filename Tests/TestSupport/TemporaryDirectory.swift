import Foundation

/// A directory under /tmp that exists for one test and is removed after it.
public final class TemporaryDirectory: @unchecked Sendable {
    public let path: String

    public init(prefix: String = "swift-container-test") throws {
        var template = Array("/tmp/\(prefix).XXXXXX".utf8CString)
        guard let base = template.withUnsafeMutableBufferPointer({ $0.baseAddress.flatMap(mkdtemp) }) else {
            throw CocoaError(.fileWriteUnknown)
        }
        path = String(cString: base)
    }

    public func file(_ name: String) -> String { "\(path)/\(name)" }

    public func write(_ name: String, _ contents: String) throws {
        try TestFile.write(contents, to: file(name))
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    deinit { remove() }
}
