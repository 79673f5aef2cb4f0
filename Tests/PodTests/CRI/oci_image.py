#!/usr/bin/python3
"""Packs a directory as a one-layer OCI image archive (an image layout in a
tar: oci-layout, index.json, blobs/sha256/...) that `ctr images import`
loads. The image is named by the io.containerd.image.name annotation.

  oci_image.py --name localhost/swift-test/pause:1 --rootfs DIR \
      --entrypoint '["/pause"]' [--cmd '[]'] [--env PATH=/bin] --output FILE
"""

import argparse
import hashlib
import io
import json
import os
import tarfile


def layer_bytes(rootfs):
    """An uncompressed tar of rootfs, entries owned by root, times zeroed."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for directory, subdirectories, files in os.walk(rootfs):
            subdirectories.sort()
            for name in sorted(subdirectories + files):
                path = os.path.join(directory, name)
                info = tar.gettarinfo(path, arcname=os.path.relpath(path, rootfs))
                info.uid = info.gid = 0
                info.uname = info.gname = "root"
                info.mtime = 0
                if info.isreg():
                    with open(path, "rb") as f:
                        tar.addfile(info, f)
                else:
                    tar.addfile(info)
    return buffer.getvalue()


def blob(tar, data):
    """Adds data under blobs/sha256/ and returns its descriptor fields."""
    digest = hashlib.sha256(data).hexdigest()
    info = tarfile.TarInfo(f"blobs/sha256/{digest}")
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))
    return {"digest": f"sha256:{digest}", "size": len(data)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--name", required=True)
    parser.add_argument("--rootfs", required=True)
    parser.add_argument("--entrypoint", default="[]")
    parser.add_argument("--cmd", default="[]")
    parser.add_argument("--env", action="append", default=[])
    parser.add_argument("--output", required=True)
    args = parser.parse_args()

    layer = layer_bytes(args.rootfs)
    config = {
        "architecture": "amd64",
        "os": "linux",
        "config": {
            "Entrypoint": json.loads(args.entrypoint) or None,
            "Cmd": json.loads(args.cmd) or None,
            "Env": args.env or ["PATH=/bin"],
            "WorkingDir": "/",
        },
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(layer).hexdigest()]},
    }
    with tarfile.open(args.output, mode="w") as tar:
        layer_descriptor = blob(tar, layer)
        config_descriptor = blob(tar, json.dumps(config, sort_keys=True).encode())
        manifest = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", **config_descriptor},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", **layer_descriptor}],
        }
        manifest_descriptor = blob(tar, json.dumps(manifest, sort_keys=True).encode())
        index = {
            "schemaVersion": 2,
            "manifests": [{
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                **manifest_descriptor,
                "platform": {"architecture": "amd64", "os": "linux"},
                "annotations": {"io.containerd.image.name": args.name,
                                "org.opencontainers.image.ref.name": args.name.rsplit(":", 1)[-1]},
            }],
        }
        for name, data in (("oci-layout", {"imageLayoutVersion": "1.0.0"}), ("index.json", index)):
            encoded = json.dumps(data, sort_keys=True).encode()
            info = tarfile.TarInfo(name)
            info.size = len(encoded)
            tar.addfile(info, io.BytesIO(encoded))


if __name__ == "__main__":
    main()
