"""Makes and checks the safetensors interop fixtures of SafetensorsInteropTests.swift.

    python make_fixture.py          # writes python_written.safetensors, python_float16.safetensors
    python make_fixture.py --check  # loads dlc_written.safetensors and compares it to TENSORS

Needs `pip install safetensors numpy`. The Swift tests read the committed files and never run
Python. dlc_written.safetensors is written by the Swift tests when DLC_UPDATE_FIXTURES=1 is set;
keep TENSORS, PYTHON_METADATA and DLC_METADATA in step with the Swift test.
"""

import json
import pathlib
import struct
import sys

import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file, save_file

HERE = pathlib.Path(__file__).resolve().parent

# name -> (shape, float32 values in row-major order); dlc writes them in this order.
TENSORS = {
    "dense1.weight": ([2, 3], [1.0, -2.5, 0.1, 3.4028235e38, -np.inf, 1.17549435e-38]),
    "dense1.bias": ([3], [0.0, -0.0, 1e-45]),
    "dense2.weight": ([3, 1], [np.nan, np.inf, 1.0 / 3.0]),
    "scale": ([], [3.25]),
    "empty": ([0, 4], []),
    'ünï"code': ([1, 1, 2], [7.0, -8.0]),
}

NOTE = 'dlc "fixture" \\ line\nünï'
PYTHON_METADATA = {"note": NOTE}
DLC_METADATA = {"format": "dlc", "note": NOTE, "spec": "iris"}


def arrays():
    return {
        name: np.array(values, dtype=np.float32).reshape(shape)
        for name, (shape, values) in TENSORS.items()
    }


def make():
    save_file(arrays(), str(HERE / "python_written.safetensors"), metadata=PYTHON_METADATA)
    mixed = {
        "half": np.array([1.0, 2.0], dtype=np.float16),
        "single": np.array([1.0], dtype=np.float32),
    }
    save_file(mixed, str(HERE / "python_float16.safetensors"))
    print("wrote python_written.safetensors and python_float16.safetensors")


def check():
    path = HERE / "dlc_written.safetensors"
    loaded = load_file(str(path))
    expected = arrays()
    assert list(sorted(loaded)) == list(sorted(expected)), (sorted(loaded), sorted(expected))
    for name, array in expected.items():
        got = loaded[name]
        assert got.dtype == np.float32, (name, got.dtype)
        assert got.shape == array.shape, (name, got.shape, array.shape)
        assert got.tobytes() == array.tobytes(), (name, got, array)
    with safe_open(str(path), framework="np") as handle:
        assert handle.metadata() == DLC_METADATA, handle.metadata()
    raw = path.read_bytes()
    (length,) = struct.unpack("<Q", raw[:8])
    assert length % 8 == 0, length
    header = json.loads(raw[8 : 8 + length].decode("utf-8"))
    order = sorted((info["data_offsets"], name) for name, info in header.items() if name != "__metadata__")
    assert [name for _, name in order] == list(TENSORS), order
    print("dlc_written.safetensors loads with safetensors.numpy and matches")


if __name__ == "__main__":
    check() if "--check" in sys.argv[1:] else make()
