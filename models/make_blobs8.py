#!/usr/bin/python3
"""The 8-blob mixture for the held-out mode-coverage check (issue 34): eight isotropic Gaussians of standard deviation
0.1 with means on a circle of radius 0.8, 500 points each, drawn by Python's own seeded generator (stdlib only).

Writes blobs8.data.csv (x1,x2: what the models are trained on, no labels, so they are unconditional) and
blobs8.modes.csv (the same points with their component as label: the reference for mode coverage, given to
run/sweep/baseline with --reference-data). Re-running it reproduces both files byte for byte.
"""
import math
import os
import random
import sys

def main(out_dir):
    rng = random.Random(7)
    rows = []
    for i in range(4000):
        k = i % 8
        angle = 2 * math.pi * k / 8
        rows.append((0.8 * math.cos(angle) + rng.gauss(0, 0.1), 0.8 * math.sin(angle) + rng.gauss(0, 0.1), k))
    with open(os.path.join(out_dir, "blobs8.data.csv"), "w") as f:
        f.write("x1,x2\n" + "".join(f"{x:.6f},{y:.6f}\n" for x, y, _ in rows))
    with open(os.path.join(out_dir, "blobs8.modes.csv"), "w") as f:
        f.write("x1,x2,label\n" + "".join(f"{x:.6f},{y:.6f},m{k}\n" for x, y, k in rows))

if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__)))
