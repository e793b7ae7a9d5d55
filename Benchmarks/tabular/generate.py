"""Writes the tabular benchmark's CSV: 1,000,000 rows of 10 number columns (n0..n9), 10
category columns (c0..c9, 3 to 50 values each) and a 3-class target `label`; 5 % of the
feature cells are empty. Deterministic (numpy's default_rng, seed 0).

Usage: python generate.py [PATH]   (default /tmp/dlc-tabular/tabular.csv)
"""
import os
import sys

import numpy as np

path = sys.argv[1] if len(sys.argv) > 1 else "/tmp/dlc-tabular/tabular.csv"
rows = 1_000_000
rng = np.random.default_rng(0)
os.makedirs(os.path.dirname(path) or ".", exist_ok=True)

columns = {}
for j in range(10):
    values = rng.normal(loc=j * 10.0, scale=1.0 + j, size=rows)
    text = np.char.mod("%.6g", values).astype(object)
    text[rng.random(rows) < 0.05] = ""
    columns[f"n{j}"] = text
cardinalities = [3, 5, 8, 12, 17, 23, 30, 37, 44, 50]
for j, k in enumerate(cardinalities):
    names = np.array([f"c{j}_value{v}" for v in range(k)], dtype=object)
    text = names[rng.integers(0, k, size=rows)]
    text[rng.random(rows) < 0.05] = ""
    columns[f"c{j}"] = text
columns["label"] = np.array(["a", "b", "c"], dtype=object)[rng.integers(0, 3, size=rows)]

header = list(columns)
with open(path, "w") as out:
    out.write(",".join(header) + "\n")
    stacked = np.stack([columns[name] for name in header], axis=1)
    for start in range(0, rows, 100_000):
        out.write("\n".join(",".join(row) for row in stacked[start:start + 100_000]) + "\n")
print(f"wrote {path}: {rows} rows, {os.path.getsize(path)} bytes")
