# The line protocol of the PyTorch anchors (torch_conv.py here, packages/examples/bench/torch_mnist.py),
# read by torch-reply.ts: one JSON object per line on stdout. The first line says whether torch imports:
# {"hello": {"available": true, "version": ...}} or {"hello": {"available": false, "error": ...}} (then
# the process ends); then each request line {"id", "req": {"op", ...}} gets {"id", "result"} or
# {"id", "error"}. Only the standard library here, so a missing torch is reported, not a crash.
import json
import os
import sys


def say(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def import_failed(e):
    """Reports why `import torch` (or numpy) failed, and ends the process."""
    say({"hello": {"available": False, "error": f"{type(e).__name__}: {e}"}})
    sys.exit(0)


def serve(version, handle):
    """Says hello, then answers each request with handle(req) until stdin closes."""
    say({"hello": {"available": True, "version": version}})
    for line in sys.stdin:
        if not line.strip():
            continue
        msg = json.loads(line)
        try:
            reply = {"id": msg["id"], "result": handle(msg["req"])}
        except Exception as e:
            reply = {"id": msg["id"], "error": f"{type(e).__name__}: {e}"}
        say(reply)


def runtime_note(torch, threads):
    """Sets PyTorch's intra-op thread count and describes the runtime: version, threads, oneDNN, the ISA
    ATen dispatches to, and OMP_WAIT_POLICY (its OpenMP threads spin-wait by default, which costs a lot
    when other processes share the cores)."""
    torch.set_num_threads(int(threads))
    capability = next((line.strip(" -") for line in torch.__config__.show().splitlines() if "CPU capability" in line), "CPU capability unknown")
    return (f"PyTorch {torch.__version__} CPU: {torch.get_num_threads()} thread(s), "
            f"oneDNN {'on' if torch.backends.mkldnn.is_available() else 'off'}, {capability}, "
            f"OMP_WAIT_POLICY {os.environ.get('OMP_WAIT_POLICY', 'unset')}")
