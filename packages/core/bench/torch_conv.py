# PyTorch CPU as the conv2d benchmark's anchor: a worker process driven by the Node bench
# (torch-client.ts) over stdin/stdout, one JSON object per line, so PyTorch takes its turns inside the
# same interleaved measurements as convgrad and tfjs (timing.ts). Not a dependency of any package:
# Debian's python3-torch (PyTorch 1.13, oneDNN) when it is installed.
#
# First line out: {"hello": {"available": true, "version": ...}} or {"hello": {"available": false,
# "error": "..."}} (then the process ends). Then requests {"id", "req": {"op", ...}} and replies
# {"id", "result"} or {"id", "error"}:
#   init  {threads}                      -> {version, threads, notes}
#   setup {case, x, w, b, g}             -> how (the inputs are base64 float32, NCHW, the Node bench's values)
#   grads                                -> {dx, dw, db} (base64 float32)
#   run   {which: forward | train}       -> {ms, cpuMs} (timed here, around the single call)
#   dispose                              -> null
import base64
import json
import sys
import time

try:
    import numpy as np
    import torch
    import torch.nn.functional as F
except Exception as e:  # ImportError, or a broken install
    sys.stdout.write(json.dumps({"hello": {"available": False, "error": f"{type(e).__name__}: {e}"}}) + "\n")
    sys.stdout.flush()
    sys.exit(0)


def decode(b64, shape):
    return torch.from_numpy(np.frombuffer(base64.b64decode(b64), dtype="<f4").copy()).reshape(shape)


def encode(t):
    return base64.b64encode(t.detach().contiguous().numpy().astype("<f4").tobytes()).decode("ascii")


class Case:
    def __init__(self, req):
        c = req["case"]
        n, cin, h, w, cout, k = c["n"], c["cin"], c["h"], c["w"], c["cout"], c["k"]
        self.stride, self.pad = c["stride"], c["pad"]
        self.x0 = decode(req["x"], (n, cin, h, w))
        self.w0 = decode(req["w"], (cout, cin, k, k))
        self.b0 = decode(req["b"], (cout,))
        oh = (h + 2 * self.pad - k) // self.stride + 1
        ow = (w + 2 * self.pad - k) // self.stride + 1
        self.g = decode(req["g"], (n, cout, oh, ow))
        self.x = self.x0.clone().requires_grad_(True)
        self.w = self.w0.clone().requires_grad_(True)
        self.b = self.b0.clone().requires_grad_(True)

    def forward(self):
        with torch.no_grad():
            F.conv2d(self.x0, self.w0, self.b0, stride=self.stride, padding=self.pad)

    def train(self):
        self.x.grad = self.w.grad = self.b.grad = None
        F.conv2d(self.x, self.w, self.b, stride=self.stride, padding=self.pad).backward(self.g)


def cpu_capability():
    """The vector ISA ATen's kernels dispatch to (from its build configuration), e.g. 'CPU capability usage: AVX2'."""
    for line in torch.__config__.show().splitlines():
        if "CPU capability" in line:
            return line.strip(" -")
    return "CPU capability unknown"


def timed(fn):
    c0 = time.process_time()  # CPU time of the whole process (all threads)
    t0 = time.perf_counter()
    fn()
    ms = (time.perf_counter() - t0) * 1000
    return {"ms": ms, "cpuMs": (time.process_time() - c0) * 1000}


def handle(req, state):
    op = req["op"]
    if op == "init":
        torch.set_num_threads(int(req["threads"]))
        notes = [f"PyTorch {torch.__version__} CPU: {torch.get_num_threads()} thread(s), "
                 f"oneDNN {'on' if torch.backends.mkldnn.is_available() else 'off'}, {cpu_capability()}"]
        return {"version": torch.__version__, "threads": torch.get_num_threads(), "notes": notes}
    if op == "setup":
        state["case"] = Case(req)
        return "y = F.conv2d(x, w, b); y.backward(g) (autograd: oneDNN/ATen conv backward)"
    if op == "grads":
        c = active(state)
        c.train()
        return {"dx": encode(c.x.grad), "dw": encode(c.w.grad), "db": encode(c.b.grad)}
    if op == "run":
        c = active(state)
        return timed(c.forward if req["which"] == "forward" else c.train)
    if op == "dispose":
        state["case"] = None
        return None
    raise ValueError(f"torch_conv: unknown op {op!r}")


def active(state):
    if state.get("case") is None:
        raise ValueError("torch_conv: no case set up")
    return state["case"]


def main():
    torch.set_grad_enabled(True)
    sys.stdout.write(json.dumps({"hello": {"available": True, "version": torch.__version__}}) + "\n")
    sys.stdout.flush()
    state = {}
    for line in sys.stdin:
        if not line.strip():
            continue
        msg = json.loads(line)
        try:
            reply = {"id": msg["id"], "result": handle(msg["req"], state)}
        except Exception as e:
            reply = {"id": msg["id"], "error": f"{type(e).__name__}: {e}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
