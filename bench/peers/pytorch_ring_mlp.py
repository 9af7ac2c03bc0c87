#!/usr/bin/env python3
"""The paper's score MLP (models/ring.onnx) in PyTorch, as a user of PyTorch would run it: one forward pass
over a batch of ring samples, one thread, CPU time per sample x evaluation. A peer for bench/README.md's
table beside memgrid's engine and ONNX Runtime (`bench evaluation --forward-only`).

    /usr/bin/python3 bench/peers/pytorch_ring_mlp.py [--batch 10000] [--repeats 5]

The weights are read from the ONNX file, and the forward pass is checked against a float64 NumPy
evaluation of the same graph before anything is timed.
"""
import argparse
import os
import time

import numpy as np
import onnx
import torch
from onnx import numpy_helper

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


class RingMlp(torch.nn.Module):
    """x (N x 2), t (N) -> score: sinusoidal time embedding added before each hidden ReLU (models/ring.onnx's graph)."""

    def __init__(self, w):
        super().__init__()
        self.frequency = torch.tensor(w["time.angular_frequency"])
        self.weights = [torch.tensor(w[f"layers.{k}.weight"]) for k in range(3)]
        self.biases = [torch.tensor(w[f"layers.{k}.bias"]) for k in range(3)]
        self.gain = float(w["output.gain"])

    def forward(self, x, t):
        phase = t.unsqueeze(1) * self.frequency
        embedding = torch.cat([torch.sin(phase), torch.cos(phase)], dim=1)
        h = torch.relu(x @ self.weights[0] + self.biases[0] + embedding)
        h = torch.relu(h @ self.weights[1] + self.biases[1] + embedding)
        return (h @ self.weights[2] + self.biases[2]) * self.gain


def reference(w, x, t):
    phase = t[:, None] * w["time.angular_frequency"].astype(np.float64)
    e = np.concatenate([np.sin(phase), np.cos(phase)], axis=1)
    h = np.maximum(x @ w["layers.0.weight"] + w["layers.0.bias"] + e, 0)
    h = np.maximum(h @ w["layers.1.weight"] + w["layers.1.bias"] + e, 0)
    return (h @ w["layers.2.weight"] + w["layers.2.bias"]) * float(w["output.gain"])


def main():
    args = argparse.ArgumentParser()
    args.add_argument("--batch", type=int, default=10000)
    args.add_argument("--repeats", type=int, default=5)
    a = args.parse_args()
    torch.set_num_threads(1)
    model = onnx.load(os.path.join(ROOT, "models", "ring.onnx"))
    w = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    rng = np.random.default_rng(7)
    x = rng.standard_normal((a.batch, 2)).astype(np.float32)
    t = rng.uniform(1e-3, 1.0, a.batch).astype(np.float32)
    net = RingMlp(w)
    with torch.inference_mode():
        xt, tt = torch.from_numpy(x), torch.from_numpy(t)
        got = net(xt, tt).numpy()
        want = reference({k: v.astype(np.float64) for k, v in w.items()}, x.astype(np.float64), t.astype(np.float64))
        err = np.max(np.abs(got - want)) / max(1e-12, np.max(np.abs(want)))
        if err > 1e-4:
            raise SystemExit(f"error: the PyTorch forward disagrees with the graph (relative {err:.2e})")
        start = time.thread_time()
        while time.thread_time() - start < 2.0:  # warm-up
            net(xt, tt)
        results = []
        for _ in range(a.repeats):
            calls, start = 0, time.thread_time()
            while time.thread_time() - start < 0.5:
                net(xt, tt)
                calls += 1
            results.append((time.thread_time() - start) / calls / a.batch * 1e9)
    results.sort()
    print(f"PyTorch {torch.__version__}, 1 thread, batch {a.batch}, load {os.getloadavg()[0]:.2f}: "
          f"{results[0]:.1f} / {results[len(results) // 2]:.1f} / {results[-1]:.1f} ns per sample x evaluation (min / median / max of {a.repeats}); "
          f"agrees with the graph to {err:.1e}")


if __name__ == "__main__":
    main()
