"""Times pandas.read_csv followed by scikit-learn's SimpleImputer + OneHotEncoder (+ StandardScaler
on the numbers) on the benchmark CSV, into one float32 matrix: the same work as
`dlc bench tabular.yaml --data-only` (read, impute by the mean, one-hot with a missing cell as a
category of its own, standardize the numbers). Each repeat runs in a fresh process, so its peak
memory is its own.

Usage: python pandas_encode.py [CSV] [--repeats N] [--sparse]
"""
import json
import resource
import statistics
import subprocess
import sys
import time


def once(path, sparse):
    import numpy as np
    import pandas as pd
    import sklearn
    from sklearn.impute import SimpleImputer
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    start = time.perf_counter()
    frame = pd.read_csv(path)
    numbers = [f"n{j}" for j in range(10)]
    categories = [f"c{j}" for j in range(10)]
    filled = SimpleImputer(strategy="mean").fit_transform(frame[numbers])
    scaled = StandardScaler().fit_transform(filled).astype(np.float32)
    labels = SimpleImputer(strategy="constant", fill_value="(missing)").fit_transform(frame[categories].astype(object))
    encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=sparse, dtype=np.float32)
    onehot = encoder.fit_transform(labels)
    if sparse:
        import scipy.sparse
        features = scipy.sparse.hstack([scipy.sparse.csr_matrix(scaled), onehot]).tocsr()
    else:
        features = np.hstack([scaled, onehot])
    classes = frame["label"].astype("category").cat.codes.to_numpy()
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_rss_mib": peak, "rows": features.shape[0], "features": features.shape[1],
                      "classes": int(classes.max()) + 1, "sparse": sparse, "pandas": pd.__version__,
                      "sklearn": sklearn.__version__, "numpy": np.__version__}))


def main():
    args = sys.argv[1:]
    if "--once" in args:
        args.remove("--once")
        sparse = "--sparse" in args
        once([a for a in args if not a.startswith("--")][0], sparse)
        return
    repeats = 3
    if "--repeats" in args:
        index = args.index("--repeats")
        repeats = int(args[index + 1])
        del args[index:index + 2]
    sparse = "--sparse" in args
    paths = [a for a in args if not a.startswith("--")]
    path = paths[0] if paths else "/tmp/dlc-tabular/tabular.csv"
    runs = []
    for _ in range(repeats):
        command = [sys.executable, __file__, path, "--once"] + (["--sparse"] if sparse else [])
        line = subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
        print(line)
        runs.append(json.loads(line))
    print(json.dumps({"median_seconds": statistics.median(r["seconds"] for r in runs),
                      "median_peak_rss_mib": statistics.median(r["peak_rss_mib"] for r in runs), "sparse": sparse}))


if __name__ == "__main__":
    main()
