/// The checks a server applies to a request frame before running anything,
/// as a pure function so they can be tested and fuzzed without sockets.
public enum RequestGate {
    /// What to do with a request frame.
    public enum Decision: Sendable {
        /// Answer at once on `streamID` with this status; run nothing.
        case reject(streamID: UInt32, code: TTRPCCode, message: String)
        /// Run the method.
        case accept(streamID: UInt32, request: TTRPCRequest)
    }

    /// Decides on a request frame.
    ///
    /// - Parameters:
    ///   - header: the frame's header.
    ///   - payload: the frame's payload, a serialized ``TTRPCRequest``.
    ///   - lastStreamID: the highest stream id accepted on this connection.
    ///   - draining: whether the server is shutting down.
    ///   - hasMethod: whether a service/method pair is registered; nil for
    ///     an unknown service, false for an unknown method.
    public static func decide(
        header: FrameHeader, payload: [UInt8], lastStreamID: UInt32, draining: Bool,
        hasMethod: (String, String) -> Bool?
    ) -> Decision {
        let id = header.streamID
        guard id % 2 == 1 else {
            return .reject(streamID: id, code: .invalidArgument, message: "StreamID must be odd for client initiated streams")
        }
        guard id > lastStreamID else {
            return .reject(streamID: id, code: .invalidArgument, message: "StreamID cannot be re-used and must increment")
        }
        let request: TTRPCRequest
        do {
            request = try TTRPCRequest(serializedBytes: payload)
        } catch {
            return .reject(streamID: id, code: .invalidArgument, message: "unmarshal request error: \(error)")
        }
        if draining {
            return .reject(streamID: id, code: .unavailable, message: "ttrpc: server shutdown")
        }
        switch hasMethod(request.service, request.method) {
        case nil: return .reject(streamID: id, code: .unimplemented, message: "service \(request.service)")
        case false?: return .reject(streamID: id, code: .unimplemented, message: "method \(request.method)")
        case true?: return .accept(streamID: id, request: request)
        }
    }
}
