import SwiftProtobuf

/// The message, enum and service descriptions of one or more compiled
/// descriptor sets (`protoc --descriptor_set_out --include_imports`), looked
/// up by full name: what lets ttrpc-call encode and decode messages it was
/// not compiled with.
struct DescriptorPool {
    typealias Message = Google_Protobuf_DescriptorProto
    typealias Enum = Google_Protobuf_EnumDescriptorProto

    /// A method of a service: its input and output message names.
    struct Method {
        var service: String
        var name: String
        var input: String
        var output: String
        var clientStreaming: Bool
        var serverStreaming: Bool
    }

    private(set) var messages: [String: Message] = [:]
    private(set) var enums: [String: Enum] = [:]
    /// By `service/method`, the service by its full name.
    private(set) var methods: [String: Method] = [:]

    /// Adds a serialized `FileDescriptorSet`.
    mutating func add(serializedSet bytes: [UInt8], origin: String) throws(CallError) {
        let set: Google_Protobuf_FileDescriptorSet
        do {
            set = try Google_Protobuf_FileDescriptorSet(serializedBytes: bytes)
        } catch {
            throw CallError.failed("\(origin): not a protobuf descriptor set (\(error))")
        }
        for file in set.file { add(file) }
    }

    private mutating func add(_ file: Google_Protobuf_FileDescriptorProto) {
        let prefix = file.package.isEmpty ? "" : file.package + "."
        for message in file.messageType { add(message, prefix: prefix) }
        for type in file.enumType { enums[prefix + type.name] = type }
        for service in file.service {
            for method in service.method {
                methods["\(prefix)\(service.name)/\(method.name)"] = Method(
                    service: prefix + service.name, name: method.name,
                    input: Self.strip(method.inputType), output: Self.strip(method.outputType),
                    clientStreaming: method.clientStreaming, serverStreaming: method.serverStreaming)
            }
        }
    }

    private mutating func add(_ message: Message, prefix: String) {
        let name = prefix + message.name
        messages[name] = message
        for nested in message.nestedType { add(nested, prefix: name + ".") }
        for type in message.enumType { enums[name + "." + type.name] = type }
    }

    /// A full name without the leading dot that descriptors use.
    static func strip(_ typeName: String) -> String {
        typeName.hasPrefix(".") ? String(typeName.dropFirst()) : typeName
    }

    /// The message named by a field's `type_name` or an Any's type URL
    /// (`type.googleapis.com/pkg.Name`, or a bare `pkg.Name` as containerd
    /// registers its metrics).
    func message(named name: String) -> Message? {
        let full = name.split(separator: "/").last.map(String.init) ?? name
        return messages[Self.strip(full)]
    }

    /// Every method, sorted, for `--list`.
    var methodNames: [String] { methods.keys.sorted() }
}

extension Google_Protobuf_FieldDescriptorProto {
    /// The field's name in JSON: `json_name` as protoc fills it, or the
    /// lowerCamelCase of the proto name.
    var jsonKey: String {
        if hasJsonName { return jsonName }
        var out = ""
        var upper = false
        for character in name {
            if character == "_" {
                upper = true
            } else {
                out.append(upper ? Character(character.uppercased()) : character)
                upper = false
            }
        }
        return out
    }

    var isRepeated: Bool { label == .repeated }
}
