import CLibcap

/// Capability names as libcap knows them (cap_from_name(3), cap_to_name(3),
/// cap_max_bits(3)).
public enum Libcap {
    /// The capability number of an OCI capability name (`CAP_SYS_ADMIN`), or
    /// nil when libcap does not know it. OCI names are upper case with the
    /// `CAP_` prefix; anything else is not a valid name even if libcap would
    /// parse it (it also takes numbers and lower case).
    public static func value(of name: String) -> Int? {
        guard name.hasPrefix("CAP_"), name.dropFirst(4).allSatisfy({ $0.isUppercase || $0.isNumber || $0 == "_" }),
            name.count > 4
        else { return nil }
        var value: cap_value_t = 0
        guard cap_from_name(name.lowercased(), &value) == 0 else { return nil }
        return Int(value)
    }

    /// The OCI name (`CAP_CHOWN`) of a capability number, if libcap names it.
    public static func name(of value: Int) -> String? {
        guard let raw = cap_to_name(cap_value_t(value)) else { return nil }
        defer { cap_free(raw) }
        let text = String(cString: raw)
        guard text.hasPrefix("cap_") else { return nil }  // libcap prints bare numbers for unnamed bits
        return text.uppercased()
    }

    /// The capabilities the running kernel supports that libcap can name, in
    /// bit order.
    public static func hostCapabilities() -> [String] {
        let bits = Int(cap_max_bits())
        return (0..<bits).compactMap { name(of: $0) }
    }
}
