import Testing

@testable import TTRPC

@Suite struct FrameCodecTests {
    private func frame(_ id: UInt32, _ type: FrameType, _ flags: FrameFlags = [], _ payload: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        FrameEncoder.append(type: type, streamID: id, flags: flags, payload: payload, to: &bytes)
        return bytes
    }

    @Test func headerLayoutIsBigEndian() {
        let bytes = frame(0x0102_0304, .request, [.remoteOpen], [9, 9, 9])
        #expect(Array(bytes[0..<10]) == [0, 0, 0, 3, 1, 2, 3, 4, 1, 2])
        let header = FrameHeader(parsing: bytes[0..<10])
        #expect(header == FrameHeader(length: 3, streamID: 0x0102_0304, type: .request, flags: .remoteOpen))
    }

    @Test func decodesByteByByte() {
        let stream = frame(1, .request, [], Array(0..<200)) + frame(3, .data, [.remoteClosed, .noData], []) + frame(5, .response, [], [7])
        var decoder = FrameDecoder()
        var events: [FrameDecoder.Event] = []
        for byte in stream {
            decoder.append([byte])
            while let event = decoder.next() { events.append(event) }
        }
        #expect(events.count == 3)
        #expect(events[0] == .frame(FrameHeader(length: 200, streamID: 1, type: .request), Array(0..<200)))
        #expect(events[1] == .frame(FrameHeader(length: 0, streamID: 3, type: .data, flags: [.remoteClosed, .noData]), []))
        #expect(events[2] == .frame(FrameHeader(length: 1, streamID: 5, type: .response), [7]))
        #expect(!decoder.isMidFrame)
    }

    @Test func decodesManyFramesFromOneRead() {
        var stream: [UInt8] = []
        for id in stride(from: UInt32(1), to: 2001, by: 2) { stream += frame(id, .request, [], [UInt8(truncatingIfNeeded: id)]) }
        var decoder = FrameDecoder()
        decoder.append(stream)
        var ids: [UInt32] = []
        while case .frame(let header, _)? = decoder.next() { ids.append(header.streamID) }
        #expect(ids == Array(stride(from: UInt32(1), to: 2001, by: 2)))
    }

    @Test func acceptsExactlyTheLimit() {
        var decoder = FrameDecoder()
        decoder.append(frame(1, .request, [], [UInt8](repeating: 1, count: FrameHeader.maximumPayload)))
        guard case .frame(let header, let payload)? = decoder.next() else {
            Issue.record("no frame")
            return
        }
        #expect(Int(header.length) == FrameHeader.maximumPayload)
        #expect(payload.count == FrameHeader.maximumPayload)
    }

    @Test func skipsOversizedFramesAcrossReads() {
        let size = FrameHeader.maximumPayload + 1
        let big = frame(7, .request, [], [UInt8](repeating: 0xAB, count: size))
        let next = frame(9, .request, [], [1, 2, 3])
        var decoder = FrameDecoder()
        var events: [FrameDecoder.Event] = []
        var offset = 0
        let all = big + next
        while offset < all.count {
            let end = min(all.count, offset + 65536)
            decoder.append(all[offset..<end])
            offset = end
            while let event = decoder.next() { events.append(event) }
            #expect(decoder.bufferedCount < 2 * 65536, "oversized payload must not be buffered")
        }
        #expect(
            events == [
                .oversized(FrameHeader(length: UInt32(size), streamID: 7, type: .request)),
                .frame(FrameHeader(length: 3, streamID: 9, type: .request), [1, 2, 3]),
            ])
    }

    @Test func unknownTypesAndFlagsAreKept() {
        var decoder = FrameDecoder()
        decoder.append(frame(1, FrameType(rawValue: 0x7F), FrameFlags(rawValue: 0xF0), [1]))
        guard case .frame(let header, _)? = decoder.next() else {
            Issue.record("no frame")
            return
        }
        #expect(header.type.rawValue == 0x7F)
        #expect(header.flags.rawValue == 0xF0)
        #expect(header.type.description == "type 0x7f")
    }

    @Test func metadataKeysAreCaseInsensitive() {
        var metadata: TTRPCMetadata = ["Containerd-Namespace": "default"]
        metadata.append("X-Multi", "a")
        metadata.append("x-multi", "b")
        #expect(metadata["containerd-namespace"] == "default")
        #expect(metadata.values("X-MULTI") == ["a", "b"])
        metadata.set("x-multi")
        #expect(metadata.values("x-multi") == [])
    }
}
