#!/usr/bin/env python3
"""Fails when a public symbol of the given modules has no doc comment.

Reads the symbol graphs that swift-docc-plugin extracted for `make docs`
(.build/<triple>/extracted-symbols/<package>/<Module>/<Module>*.symbols.json)
and lists every public or open declaration of ours without a `///` comment,
with its file and line. Symbols the compiler synthesizes (Equatable's ==,
Codable's init(from:)…) are not ours to document and are skipped.

    scripts/check-doc-coverage.py OCISpec TTRPC ...
"""
import glob
import json
import os
import sys


def graphs(module):
    pattern = os.path.join(".build", "*", "extracted-symbols", "*", module, module + "*.symbols.json")
    return sorted(glob.glob(pattern))


def undocumented(path):
    graph = json.load(open(path))
    for symbol in graph["symbols"]:
        if symbol["accessLevel"] not in ("public", "open"):
            continue
        if "::SYNTHESIZED::" in symbol["identifier"]["precise"]:
            continue
        if symbol.get("docComment", {}).get("lines"):
            continue
        location = symbol.get("location")
        where = "?"
        if location:
            where = "%s:%d" % (location["uri"].replace("file://" + os.getcwd() + "/", ""), location["position"]["line"] + 1)
        yield where, ".".join(symbol["pathComponents"])


def main(modules):
    missing = []
    for module in modules:
        files = graphs(module)
        if not files:
            print("check-doc-coverage: no symbol graph for %s; run the docs build first" % module, file=sys.stderr)
            return 2
        seen = set()
        for path in files:
            for entry in undocumented(path):
                if entry not in seen:
                    seen.add(entry)
                    missing.append((module,) + entry)
    for module, where, name in sorted(missing):
        print("%s: error: public symbol %s (%s) has no documentation comment" % (where, name, module))
    if missing:
        print("check-doc-coverage: %d undocumented public symbols" % len(missing), file=sys.stderr)
        return 1
    print("check-doc-coverage: every public symbol of %s is documented" % ", ".join(modules))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
