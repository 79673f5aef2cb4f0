/// Which of the three OCI documents a JSON object is.
public enum DocumentKind: String, Hashable, Sendable, CaseIterable {
    /// `config.json` (``Spec``).
    case config
    /// `state.json` (``State``).
    case state
    /// `features.json` (``Features``).
    case features

    /// Guesses the kind from the keys present: a state has `id` and `status`,
    /// a features document has keys only it uses, anything else is a config.
    public static func detect(_ object: JSONObject) -> DocumentKind {
        if object["id"] != nil, object["status"] != nil { return .state }
        let featureKeys = ["ociVersionMin", "ociVersionMax", "mountOptions", "potentiallyUnsafeConfigAnnotations"]
        if featureKeys.contains(where: { object[$0] != nil }) || (object["ociVersion"] == nil && object["hooks"]?.isArray == true) {
            return .features
        }
        return .config
    }

    /// Decodes `bytes` as this kind and encodes it again: the document as
    /// OCISpec writes it.
    public func reencode(_ bytes: [UInt8], style: OCIJSON.Style = .pretty) throws(OCISpecError) -> [UInt8] {
        switch self {
        case .config: return try OCIJSON.encode(OCIJSON.decode(Spec.self, from: bytes), style: style)
        case .state: return try OCIJSON.encode(OCIJSON.decode(State.self, from: bytes), style: style)
        case .features: return try OCIJSON.encode(OCIJSON.decode(Features.self, from: bytes), style: style)
        }
    }
}

extension JSONValue {
    var isArray: Bool {
        if case .array = self { return true }
        return false
    }
}
