#!/usr/bin/python3
"""A CRI client for the pod tests, driven over stdin/stdout: one JSON request
per line in, one JSON reply per line out.

  {"call": "RunPodSandbox", "request": {...}}        any RuntimeService or
  {"call": "ImageStatus", "service": "image", ...}   ImageService method;
      request and response are the messages in protobuf's JSON mapping
      (field names as in api.proto). Reply: {"response": {...}} or
      {"error": {"code": "NOT_FOUND", "message": "..."}}.
  {"stream": "exec", "request": {ExecRequest}, "stdin": "text"}
  {"stream": "attach", "request": {AttachRequest}, "stdin": "text"}
      calls Exec or Attach, then speaks the streaming server's WebSocket
      protocol (v4.channel.k8s.io) at the URL it returned: sends stdin,
      collects stdout and stderr until the server closes, and reads the
      exit status from the error channel. Reply: {"stdout": ..., "stderr":
      ..., "exit_code": N, "status": {...}}. With "until": "text", stops
      reading once stdout holds that text (an attach ends only so).
  {"cycle": {"sandbox": {PodSandboxConfig}, "container": {ContainerConfig}
             or null, "count": N, "concurrency": M, "handler": "runc"}}
      N pods, M at a time: RunPodSandbox, CreateContainer and
      StartContainer (with a container config), StopPodSandbox,
      RemovePodSandbox. Each pod's metadata name and uid get "-<n>"
      appended. Reply: {"pods": [{"pod": id, "error": null or text}]}.

The generated api_pb2*.py (scripts/generate-cri-client) sit beside it.
"""

import concurrent.futures
import copy
import json
import os
import sys
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "generated"))

import grpc  # noqa: E402
import websocket  # noqa: E402
from google.protobuf import json_format  # noqa: E402

import api_pb2  # noqa: E402
import api_pb2_grpc  # noqa: E402

CHANNEL_STDIN, CHANNEL_STDOUT, CHANNEL_STDERR, CHANNEL_ERROR = 0, 1, 2, 3


class Client:
    def __init__(self, socket_path, timeout):
        self.channel = grpc.insecure_channel("unix://" + socket_path)
        self.runtime = api_pb2_grpc.RuntimeServiceStub(self.channel)
        self.image = api_pb2_grpc.ImageServiceStub(self.channel)
        self.timeout = timeout

    def call(self, method, request, service="runtime", timeout=None):
        stub = self.image if service == "image" else self.runtime
        rpc = getattr(stub, method)
        request_type = getattr(api_pb2, method + "Request")
        message = json_format.ParseDict(request or {}, request_type(), ignore_unknown_fields=False)
        response = rpc(message, timeout=timeout or self.timeout)
        return json_format.MessageToDict(response, preserving_proto_field_name=True,
                                         including_default_value_fields=True)

    def cycle(self, sandbox, container, count, concurrency, handler):
        def one(number):
            config = copy.deepcopy(sandbox)
            for key in ("name", "uid"):
                config["metadata"][key] = f"{config['metadata'][key]}-{number}"
            pod = None
            try:
                pod = self.call("RunPodSandbox", {"config": config, "runtime_handler": handler})["pod_sandbox_id"]
                if container is not None:
                    created = self.call("CreateContainer", {"pod_sandbox_id": pod, "config": container,
                                                            "sandbox_config": config})["container_id"]
                    self.call("StartContainer", {"container_id": created})
                self.call("StopPodSandbox", {"pod_sandbox_id": pod})
                self.call("RemovePodSandbox", {"pod_sandbox_id": pod})
                return {"pod": pod, "error": None}
            except grpc.RpcError as error:
                return {"pod": pod, "error": f"{error.code().name}: {error.details()}"}

        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
            return {"pods": list(pool.map(one, range(count)))}

    def stream(self, kind, request, stdin_text, timeout=None, until=None):
        method = "Exec" if kind == "exec" else "Attach"
        url = self.call(method, request)["url"]
        parts = urllib.parse.urlsplit(url)
        ws_url = urllib.parse.urlunsplit(("ws" if parts.scheme == "http" else "wss",) + tuple(parts[1:]))
        connection = websocket.create_connection(ws_url, subprotocols=["v4.channel.k8s.io"],
                                                 timeout=timeout or self.timeout)
        output = {CHANNEL_STDOUT: b"", CHANNEL_STDERR: b"", CHANNEL_ERROR: b""}
        try:
            if stdin_text:
                connection.send_binary(bytes([CHANNEL_STDIN]) + stdin_text.encode())
            while True:
                try:
                    opcode, data = connection.recv_data()
                except websocket.WebSocketConnectionClosedException:
                    break
                if opcode == websocket.ABNF.OPCODE_CLOSE:
                    break
                if opcode in (websocket.ABNF.OPCODE_BINARY, websocket.ABNF.OPCODE_TEXT) and data:
                    channel = data[0]
                    if channel in output:
                        output[channel] += data[1:]
                    if until is not None and until.encode() in output[CHANNEL_STDOUT]:
                        break
        finally:
            connection.close()
        status = json.loads(output[CHANNEL_ERROR]) if output[CHANNEL_ERROR].strip() else {}
        exit_code = 0
        if status.get("status") == "Failure":
            exit_code = -1
            for cause in status.get("details", {}).get("causes", []):
                if cause.get("reason") == "ExitCode":
                    exit_code = int(cause.get("message", "-1"))
        return {"stdout": output[CHANNEL_STDOUT].decode(errors="replace"),
                "stderr": output[CHANNEL_STDERR].decode(errors="replace"),
                "exit_code": exit_code, "status": status}


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: cri_client.py CONTAINERD_SOCKET")
    client = Client(sys.argv[1], timeout=float(os.environ.get("CRI_TIMEOUT", "60")))
    for line in sys.stdin:
        if not line.strip():
            continue
        command = json.loads(line)
        try:
            if "call" in command:
                reply = {"response": client.call(command["call"], command.get("request"),
                                                 command.get("service", "runtime"), command.get("timeout"))}
            elif "cycle" in command:
                cycle = command["cycle"]
                reply = client.cycle(cycle["sandbox"], cycle.get("container"), cycle.get("count", 1),
                                     cycle.get("concurrency", 1), cycle.get("handler", ""))
            else:
                reply = client.stream(command["stream"], command.get("request"), command.get("stdin", ""),
                                      command.get("timeout"), command.get("until"))
        except grpc.RpcError as error:
            reply = {"error": {"code": error.code().name, "message": error.details() or ""}}
        except Exception as error:  # reported to the test, which fails with it
            reply = {"error": {"code": "CLIENT", "message": f"{type(error).__name__}: {error}"}}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
