#!/usr/bin/env python3
"""Generates OCISpec's Codable model files from the schema files in
scripts/ocispec-schema/*.schema.

Every model struct needs the same shape: a property per JSON key, a public
memberwise initializer, and a Codable conformance that reads absent fields as
Go's encoding/json does and keeps unknown keys. Writing that by hand repeats
each key three times; this script writes it from one line per field, so the
decode, encode and property can never disagree.

Schema syntax (one item per line; a line starting with '#' is a comment):

    file NAME                      start Sources/OCISpec/<dir>/NAME.swift
    dir DIR                        subdirectory for following files
    struct Name "doc"              start a struct
      field swiftName jsonKey Type always|optional "doc" [initDefault]
    open Name "doc"                an open string enumeration
      case swiftName "RAW"

`always` fields are always written and take Go's zero value when absent;
`optional` fields are written only when present (Go pointers and omitempty).

Run it after editing a schema; commit the generated files.
"""
import pathlib
import re
import shlex
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCHEMA_DIR = ROOT / "scripts" / "ocispec-schema"
OUT = ROOT / "Packages" / "OCISpec" / "Sources" / "OCISpec"

SCALAR_ZERO = {
    "String": '""', "Bool": "false", "Int": "0", "Int64": "0", "Int32": "0", "UInt": "0",
    "UInt64": "0", "UInt32": "0", "UInt16": "0", "UInt8": "0",
}


def zero_of(typ, opens):
    if typ in SCALAR_ZERO:
        return SCALAR_ZERO[typ]
    if typ in opens:
        return '""'
    if typ.startswith("["):
        return "[:]" if ":" in typ else "[]"
    return ".init()"


def parse(text):
    files = []
    cur_file = None
    cur_item = None
    directory = "Config"
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        if not line.strip() or line.strip().startswith("#"):
            continue
        parts = shlex.split(line)
        kind = parts[0]
        if kind == "dir":
            directory = parts[1]
        elif kind == "file":
            cur_file = {"name": parts[1], "dir": directory, "items": []}
            files.append(cur_file)
        elif kind in ("struct", "open"):
            cur_item = {"kind": kind, "name": parts[1], "doc": parts[2], "members": []}
            cur_file["items"].append(cur_item)
        elif kind == "field":
            _, swift, key, typ, mode, doc = parts[:6]
            assert mode in ("always", "optional"), f"line {lineno}: mode {mode}"
            default = parts[6] if len(parts) > 6 else None
            cur_item["members"].append({"swift": swift, "key": key, "type": typ, "mode": mode, "doc": doc, "default": default})
        elif kind == "case":
            cur_item["members"].append({"swift": parts[1], "raw": parts[2]})
        else:
            sys.exit(f"line {lineno}: unknown item {kind}")
    return files


def doc_lines(doc, indent):
    return [f"{indent}/// {part}" for part in doc.split("\\n")]


def swift_type(typ):
    """`[String:String]` in a schema is `[String: String]` in Swift."""
    return typ.replace(":", ": ")


def render_struct(item, opens):
    name = item["name"]
    fields = [dict(f, type=swift_type(f["type"])) for f in item["members"]]
    out = doc_lines(item["doc"], "")
    out.append(f"public struct {name}: Hashable, Sendable {{")
    for f in fields:
        out += doc_lines(f["doc"] + (" Always written." if f["mode"] == "always" else ""), "    ")
        opt = "?" if f["mode"] == "optional" else ""
        out.append(f"    public var {f['swift']}: {f['type']}{opt}")
    out.append("    /// Keys this model does not know, kept so that a round trip loses nothing.")
    out.append("    public var unknownFields: JSONObject")
    out.append("")
    params = []
    for f in fields:
        if f["mode"] == "optional":
            params.append(f"{f['swift']}: {f['type']}? = nil")
        else:
            params.append(f"{f['swift']}: {f['type']} = {f['default'] or zero_of(f['type'], opens)}")
    params.append("unknownFields: JSONObject = [:]")
    out.append(f"    /// Creates a value; fields default to what a decoder gives an absent key.")
    out.append("    public init(")
    for i, p in enumerate(params):
        out.append(f"        {p}{',' if i < len(params) - 1 else ''}")
    out.append("    ) {")
    for f in fields:
        out.append(f"        self.{f['swift']} = {f['swift']}")
    out.append("        self.unknownFields = unknownFields")
    out.append("    }")
    out.append("}")
    out.append("")
    out.append(f"extension {name}: Codable {{")
    out.append("    public init(from decoder: any Decoder) throws {")
    out.append("        var reader = try ObjectReader(decoder)")
    for f in fields:
        if f["mode"] == "optional":
            out.append(f"        {f['swift']} = try reader.optional(\"{f['key']}\")")
        else:
            out.append(f"        {f['swift']} = try reader.field(\"{f['key']}\", zero: {zero_of(f['type'], opens)})")
    out.append("        unknownFields = try reader.rest()")
    out.append("    }")
    out.append("")
    out.append("    public func encode(to encoder: any Encoder) throws {")
    out.append("        var writer = ObjectWriter(encoder)")
    for f in fields:
        fn = "putIfPresent" if f["mode"] == "optional" else "put"
        out.append(f"        try writer.{fn}({f['swift']}, \"{f['key']}\")")
    out.append("        try writer.putRest(unknownFields)")
    out.append("    }")
    out.append("}")
    out.append("")
    # The direct path OCIJSON uses: no Encoder/Decoder existentials.
    out.append(f"extension {name}: JSONWritable, JSONReadable {{")
    out.append("    func write(to output: inout JSONOutput) {")
    out.append("        output.beginObject()")
    for f in fields:
        out.append(f"        output.member(\"{f['key']}\", {f['swift']})")
    out.append("        output.unknown(unknownFields)")
    out.append("        output.endObject()")
    out.append("    }")
    out.append("")
    out.append("    init(json: JSONValue) throws(OCISpecError) {")
    out.append("        var reader = try TreeReader(json)")
    for f in fields:
        if f["mode"] == "optional":
            out.append(f"        {f['swift']} = try reader.optional(\"{f['key']}\")")
        else:
            out.append(f"        {f['swift']} = try reader.field(\"{f['key']}\", zero: {zero_of(f['type'], opens)})")
    out.append("        unknownFields = reader.rest()")
    out.append("    }")
    out.append("}")
    return out


def render_open(item):
    name = item["name"]
    out = doc_lines(item["doc"], "")
    out.append("///")
    out.append("/// An open set: strings not listed here decode and encode unchanged.")
    out.append(f"public struct {name}: OpenStringValue {{")
    out.append("    /// The string as written in JSON.")
    out.append("    public let rawValue: String")
    out.append("    /// Wraps any string, known or not.")
    out.append("    public init(rawValue: String) { self.rawValue = rawValue }")
    out.append("")
    for c in item["members"]:
        out.append(f"    /// `{c['raw']}`")
        out.append(f"    public static let {c['swift']}: {name} = \"{c['raw']}\"")
    out.append("")
    out.append("    /// Every value this library knows, in the order the specification lists them.")
    known = ", ".join(f".{c['swift']}" for c in item["members"])
    out.append(f"    public static let known: [{name}] = [{known}]")
    out.append("")
    out.append("    /// Whether this is one of ``known``.")
    out.append("    public var isKnown: Bool { Self.known.contains(self) }")
    out.append("}")
    out.append("")
    out.append(f"extension {name}: JSONWritable, JSONReadable {{}}")
    return out


def main():
    files = []
    for schema in sorted(SCHEMA_DIR.glob("*.schema")):
        files += parse(schema.read_text())
    opens = {item["name"] for f in files for item in f["items"] if item["kind"] == "open"}
    written = []
    for f in files:
        lines = ["// Generated by scripts/generate-ocispec-models.py from scripts/ocispec-schema.",
                 "// Do not edit by hand: edit the schema and run the script.", ""]
        for i, item in enumerate(f["items"]):
            if i:
                lines.append("")
            lines += render_struct(item, opens) if item["kind"] == "struct" else render_open(item)
        path = OUT / f["dir"] / f"{f['name']}.swift"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n")
        written.append(path.relative_to(ROOT))
    # Leave the files as the repository's formatter would, so that running
    # the script again changes nothing and `make lint` stays clean.
    subprocess.run(["swift", "format", "-i", *map(str, (ROOT / p for p in written))], check=True)
    for p in written:
        print(p)


if __name__ == "__main__":
    main()
