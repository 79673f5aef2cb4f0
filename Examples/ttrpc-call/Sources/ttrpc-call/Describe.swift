/// `--describe`: a message's fields, one per line, as a request is written.
enum Describe {
    static func fields(of name: String, in pool: DescriptorPool) throws(CallError) -> String {
        guard let message = pool.message(named: name) else {
            let close = pool.messages.keys.filter { $0.hasSuffix("." + name) }.sorted()
            throw CallError.usage("no message \(name)" + (close.isEmpty ? "" : "; did you mean \(close.joined(separator: " or "))?"))
        }
        var lines = ["\(DescriptorPool.strip(name)) {"]
        for field in message.field {
            let type: String
            switch field.type {
            case .message, .enum: type = DescriptorPool.strip(field.typeName)
            default: type = "\(field.type)"
            }
            lines.append("  \(field.jsonKey): \(field.isRepeated ? "repeated " : "")\(type) = \(field.number)")
        }
        lines.append("}")
        return lines.joined(separator: "\n")
    }
}
