#!/usr/bin/env python3
"""Sandia CrossSim's AnalogCore on the shape of bench `kernels`: a 64 x 64 matrix times a batch of 512 vectors
with read noise (a normal conductance error on every read, proportional to the conductance: the model of
memgrid's rram-180nm read noise, sigma 0.0175), one thread, CPU time per matmat. A peer for bench/README.md.

CrossSim is not on this machine's registries (PyPI is unreachable); its source is used as fetched from
github.com/sandialabs/cross-sim (3.2.0), with NumPy and SciPy from Debian (python3-numpy, python3-scipy):

    git clone https://github.com/sandialabs/cross-sim && CROSSSIM=cross-sim \\
        /usr/bin/python3 bench/peers/crosssim_noisy_mvm.py [--repeats 3]
"""
import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.environ.get("CROSSSIM", "cross-sim"))
from simulator import AnalogCore, CrossSimParameters  # noqa: E402


def main():
    args = argparse.ArgumentParser()
    args.add_argument("--repeats", type=int, default=3)
    args.add_argument("--batch", type=int, default=512)
    args.add_argument("--size", type=int, default=64)
    a = args.parse_args()
    rng = np.random.default_rng(17)
    matrix = rng.uniform(-1, 1, (a.size, a.size))
    x = rng.uniform(-1, 1, (a.size, a.batch))
    params = CrossSimParameters()
    params.xbar.device.read_noise.enable = True
    params.xbar.device.read_noise.model = "NormalProportionalDevice"
    params.xbar.device.read_noise.magnitude = 0.0175
    core = AnalogCore(matrix, params)
    y = core.matmat(x)
    err = np.max(np.abs(y - matrix @ x)) / np.max(np.abs(matrix @ x))
    results = []
    for _ in range(a.repeats):
        calls, start = 0, time.thread_time()
        while time.thread_time() - start < 1.0:
            core.matmat(x)
            calls += 1
        results.append((time.thread_time() - start) / calls)
    results.sort()
    print(f"CrossSim AnalogCore {a.size} x {a.size}, batch {a.batch}, read noise 1.75 % (proportional), load {os.getloadavg()[0]:.2f}: "
          f"{results[0] * 1e6:.0f} / {results[len(results) // 2] * 1e6:.0f} / {results[-1] * 1e6:.0f} us per matmat (min / median / max of {a.repeats}); "
          f"relative deviation from the exact product {err:.3f}")


if __name__ == "__main__":
    main()
