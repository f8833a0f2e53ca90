# PyTorch CPU as the conv2d benchmark's anchor: a worker process driven by the Node bench
# (torch-client.ts) over stdin/stdout, one JSON object per line (torch_lines.py), so PyTorch takes its turns inside the
# same interleaved measurements as convgrad and tfjs (timing.ts). Not a dependency of any package:
# Debian's python3-torch (PyTorch 1.13, oneDNN) when it is installed.
#
# Requests and their results:
#   init  {threads}                      -> {notes}
#   setup {case, x, w, b, g}             -> how (the inputs are base64 float32, NCHW, the Node bench's values)
#   grads                                -> {dx, dw, db} (base64 float32)
#   run   {which: forward | train}       -> {ms, cpuMs} (timed here, around the single call)
#   dispose                              -> null
import base64
import time

from torch_lines import import_failed, runtime_note, serve

try:
    import numpy as np
    import torch
    import torch.nn.functional as F
except Exception as e:  # ImportError, or a broken install
    import_failed(e)


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


def timed(fn):
    c0 = time.process_time()  # CPU time of the whole process (all threads)
    t0 = time.perf_counter()
    fn()
    ms = (time.perf_counter() - t0) * 1000
    return {"ms": ms, "cpuMs": (time.process_time() - c0) * 1000}


def handle(req, state):
    op = req["op"]
    if op == "init":
        return {"notes": [runtime_note(torch, req["threads"])]}
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
    state = {}
    serve(torch.__version__, lambda req: handle(req, state))


if __name__ == "__main__":
    main()
