// Fuzzes what a ttrpc peer does with bytes from the wire: the frame decoder
// (split into reads of fuzzer-chosen sizes), the server's request checks,
// and decoding of requests and responses.
//
// Built with -sanitize=fuzzer -DFUZZING (scripts/fuzz-ttrpc), libFuzzer
// drives LLVMFuzzerTestOneInput. In an ordinary build the executable replays
// corpus files given as arguments, so the seeds also run as a regression.

import SwiftProtobuf
import TTRPC

#if canImport(Glibc)
    import Glibc
#endif

enum TTRPCFuzzBody {
    static func run(_ input: UnsafeBufferPointer<UInt8>) {
        guard let first = input.first else { return }
        let chunk = Int(first % 17) + 1  // reads of 1 to 17 bytes, or all at once
        var decoder = FrameDecoder()
        var lastStreamID: UInt32 = 0
        var offset = 1
        while offset < input.count {
            let end = first >= 0xF0 ? input.count : min(input.count, offset + chunk)
            decoder.append(UnsafeBufferPointer(rebasing: input[offset..<end]))
            offset = end
            while let event = decoder.next() {
                switch event {
                case .oversized(let header):
                    precondition(Int(header.length) > FrameHeader.maximumPayload)
                case .frame(let header, let payload):
                    precondition(payload.count == Int(header.length))
                    handle(header, payload, &lastStreamID)
                }
            }
        }
    }

    private static func handle(_ header: FrameHeader, _ payload: [UInt8], _ lastStreamID: inout UInt32) {
        switch header.type {
        case .request:
            let decision = RequestGate.decide(header: header, payload: payload, lastStreamID: lastStreamID, draining: false) {
                service, method in service == "ttrpctest.Echo" ? method == "Echo" : nil
            }
            if case .accept(let id, let request) = decision {
                precondition(id % 2 == 1 && id > lastStreamID)
                lastStreamID = id
                _ = try? request.serializedBytes() as [UInt8]
            }
        case .response:
            if let response = try? TTRPCResponse(serializedBytes: payload) {
                _ = response.status.message.utf8.count
            }
        default:
            break
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func ttrpcFuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    TTRPCFuzzBody.run(UnsafeBufferPointer(start: data, count: size))
    return 0
}

#if FUZZING
    /// libFuzzer's entry for programs that have their own main.
    @_silgen_name("LLVMFuzzerRunDriver")
    func runFuzzerDriver(
        _ argc: UnsafeMutablePointer<Int32>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
    ) -> Int32

    @main
    enum FuzzMain {
        static func main() {
            var argc = CommandLine.argc
            var argv = CommandLine.unsafeArgv
            exit(runFuzzerDriver(&argc, &argv, ttrpcFuzzOneInput))
        }
    }
#else
    @main
    enum CorpusReplay {
        static func main() {
            var count = 0
            for path in CommandLine.arguments.dropFirst() {
                guard let file = fopen(path, "rb") else {
                    print("ttrpc-fuzz: cannot open \(path)")
                    exit(2)
                }
                var bytes: [UInt8] = []
                var buffer = [UInt8](repeating: 0, count: 65536)
                while true {
                    let read = fread(&buffer, 1, buffer.count, file)
                    if read == 0 { break }
                    bytes += buffer[0..<read]
                }
                fclose(file)
                bytes.withUnsafeBufferPointer { TTRPCFuzzBody.run($0) }
                count += 1
            }
            print("ttrpc-fuzz: replayed \(count) inputs")
        }
    }
#endif
