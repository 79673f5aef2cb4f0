import Testing

@testable import RuncShim

/// Parsing containerd's stdio URIs: pure, needs no root.
@Suite struct StdioURITests {
    @Test func plainPathsAreFIFOs() {
        #expect(StdioURI("/run/containerd/fifo/abc/stdout") == .fifo("/run/containerd/fifo/abc/stdout"))
        #expect(StdioURI("") == .fifo(""))
    }

    @Test func fileURIsKeepTheirPath() {
        #expect(StdioURI("file:///var/log/app.log") == .file(path: "/var/log/app.log"))
        #expect(StdioURI("file:///var/log/app.log").isFile)
        #expect(!StdioURI("/var/log/app.log").isFile)
    }

    @Test func binaryURIsGiveThePathAndTheQueryAsSortedArguments() {
        #expect(
            StdioURI("binary:///usr/bin/logger?tag=web&debug&level=info")
                == .binary(path: "/usr/bin/logger", arguments: ["debug", "level", "info", "tag", "web"]))
        #expect(StdioURI("binary:///usr/bin/logger") == .binary(path: "/usr/bin/logger", arguments: []))
        #expect(StdioURI("binary:///opt/my%20logger?name=a%2Fb") == .binary(path: "/opt/my logger", arguments: ["name", "a/b"]))
    }

    @Test func malformedEscapesAreKeptAsWritten() {
        #expect(StdioURI.percentDecoded("100%") == "100%")
        #expect(StdioURI.percentDecoded("%zzx") == "%zzx")
        #expect(StdioURI.percentDecoded("%4") == "%4")
        #expect(StdioURI.percentDecoded("a%41b") == "aAb")
    }
}
