// The Swift side of the ttrpc benchmark (bench/run ttrpc).
//
//   ttrpc-bench serve SOCKET             serve ttrpctest.Echo until SIGTERM
//   ttrpc-bench latency SOCKET N         N sequential small calls; prints p50/p99 in µs
//   ttrpc-bench throughput SOCKET N      N sequential 1 MiB echoes; prints MiB/s
//
// The Go twin (bench/go/ttrpc-bench) takes the same arguments and prints the
// same lines, so bench/run can put the two side by side.

import TTRPC

#if canImport(Glibc)
    import Glibc
#endif

@main
enum TTRPCBench {
    static func main() async {
        let arguments = CommandLine.arguments
        guard arguments.count >= 3 else {
            print("usage: ttrpc-bench serve|latency|throughput SOCKET [N]")
            exit(2)
        }
        let socket = arguments[2]
        let count = arguments.count > 3 ? Int(arguments[3]) ?? 1000 : 1000
        do {
            switch arguments[1] {
            case "serve": try await serve(socket)
            case "latency": try await latency(socket, count)
            case "throughput": try await throughput(socket, count)
            default:
                print("unknown action \(arguments[1])")
                exit(2)
            }
        } catch {
            print("ttrpc-bench: \(error)")
            exit(1)
        }
    }

    static func serve(_ path: String) async throws {
        var service = TTRPCService(name: "ttrpctest.Echo")
        service.unary("Echo") { (request: TestEchoRequest, _) -> TestEchoResponse in
            .with {
                $0.text = request.text
                $0.data = request.data
            }
        }
        let server = TTRPCServer(services: [service])
        try server.listen(path: path)
        print("ready")
        // Park the main task; SIGTERM ends the process.
        while true { try await Task.sleep(for: .seconds(3600)) }
    }

    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    static func latency(_ path: String, _ count: Int) async throws {
        let client = try TTRPCClient(connectingTo: path)
        let request = TestEchoRequest.with { $0.text = "ping" }
        for _ in 0..<200 { let _: TestEchoResponse = try await client.call("ttrpctest.Echo", "Echo", request) }
        var samples: [UInt64] = []
        samples.reserveCapacity(count)
        for _ in 0..<count {
            let start = now()
            let _: TestEchoResponse = try await client.call("ttrpctest.Echo", "Echo", request)
            samples.append(now() - start)
        }
        samples.sort()
        print("p50_us \(Double(samples[count / 2]) / 1000)")
        print("p99_us \(Double(samples[count * 99 / 100]) / 1000)")
        client.close()
    }

    static func throughput(_ path: String, _ count: Int) async throws {
        let client = try TTRPCClient(connectingTo: path)
        let request = TestEchoRequest.with { $0.data = .init(repeating: 0x5A, count: 1 << 20) }
        for _ in 0..<5 { let _: TestEchoResponse = try await client.call("ttrpctest.Echo", "Echo", request) }
        let start = now()
        for _ in 0..<count {
            let response: TestEchoResponse = try await client.call("ttrpctest.Echo", "Echo", request)
            precondition(response.data.count == 1 << 20)
        }
        let seconds = Double(now() - start) / 1e9
        // Each call moves 1 MiB each way.
        print("mib_per_s \(Double(2 * count) / seconds)")
        client.close()
    }
}
