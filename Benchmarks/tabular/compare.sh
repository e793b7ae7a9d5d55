#!/usr/bin/env bash
# The tabular benchmark in one run: dlc's reading + checking + encoding against pandas.read_csv +
# scikit-learn's SimpleImputer + OneHotEncoder on the same 1,000,000-row CSV, interleaved so the
# machine's noise hits both alike; then `dlc check` on a 10 MB slice of the file.
# Usage: Benchmarks/tabular/compare.sh [ROUNDS]   (PYTHON: a Python with pandas and scikit-learn)
set -euo pipefail
cd "$(dirname "$0")"
rounds=${1:-3}
python=${PYTHON:-/root/torchvenv/bin/python}
dlc=../../.build/release/dlc
[ -x "$dlc" ] || (cd ../.. && swift build -c release >/dev/null)
[ -s /tmp/dlc-tabular/tabular.csv ] || "$python" generate.py /tmp/dlc-tabular/tabular.csv
for round in $(seq "$rounds"); do
  echo "round $round"
  "$dlc" bench tabular.yaml --data-only --json
  "$python" pandas_encode.py /tmp/dlc-tabular/tabular.csv --repeats 1 | grep -v median_seconds
  "$python" pandas_encode.py /tmp/dlc-tabular/tabular.csv --repeats 1 --sparse | grep -v median_seconds
done
head -c 10000000 /tmp/dlc-tabular/tabular.csv | sed '$d' > /tmp/dlc-tabular/tabular-10mb.csv
sed 's#tabular.csv#tabular-10mb.csv#' tabular.yaml > /tmp/dlc-tabular/tabular-10mb.yaml
echo "dlc check on $(wc -c < /tmp/dlc-tabular/tabular-10mb.csv) bytes ($(($(wc -l < /tmp/dlc-tabular/tabular-10mb.csv) - 1)) rows):"
for round in 1 2 3 4 5; do
  /usr/bin/time -f "%e s, %M KiB" "$dlc" check /tmp/dlc-tabular/tabular-10mb.yaml --quiet 2>&1 | tail -1
done
