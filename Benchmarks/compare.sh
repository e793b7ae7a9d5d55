#!/usr/bin/env bash
# Benchmarks/compare.sh: dlc against PyTorch (CPU) on the same specs, machine and threads.
#
#   Benchmarks/compare.sh [--threads N] [--models xor,iris,...] [--no-build] [--coretype auto|NAME]
#                         [--repeats N] [--json OUT]
#
# Builds dlc in release, runs `.build/release/dlc bench specs/NAME.yaml --json` and
# Benchmarks/pytorch_bench.py for each model with the same thread count, and prints a markdown
# table: model | batch | dlc samples/s | PyTorch samples/s | ratio (dlc / PyTorch; > 1: dlc faster).
#
# Environment: PYTHON (default /root/torchvenv/bin/python), DLC (default .build/release/dlc),
# DLC_BENCH_ARGS (extra arguments for `dlc bench`).
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
cd "$root" || exit 1

threads=2
models="xor,iris,mnist-mlp,mnist-cnn,mnist-resnet,digits-cnn,digits-branches,words"
build=1
coretype=""
repeats=5
json_out=""
PYTHON="${PYTHON:-/root/torchvenv/bin/python}"
DLC="${DLC:-.build/release/dlc}"

usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads="$2"; shift 2 ;;
    --models) models="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    --coretype) coretype="$2"; shift 2 ;;
    --repeats) repeats="$2"; shift 2 ;;
    --json) json_out="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "compare.sh: unknown argument '$1'" >&2; usage >&2; exit 64 ;;
  esac
done

if [ ! -x "$PYTHON" ] || ! "$PYTHON" -c 'import torch, numpy' 2>/dev/null; then
  echo "compare.sh: $PYTHON cannot import torch and numpy; install them with" >&2
  echo "  python3 -m venv /root/torchvenv && /root/torchvenv/bin/pip install torch numpy" >&2
  exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The same threads for every library either side uses.
export OMP_NUM_THREADS="$threads" MKL_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads"

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs)" >&2

# 1. dlc, release build.
dlc_note=""
if [ "$build" = 1 ]; then
  echo "== swift build -c release --product dlc" >&2
  if ! swift build -c release --product dlc >&2; then
    if [ -x "$DLC" ]; then
      dlc_note="the release build FAILED; measured the existing (possibly stale) $DLC"
    else
      dlc_note="the release build FAILED and there is no $DLC"
    fi
    echo "compare.sh: warning: $dlc_note" >&2
  fi
fi

dlc_ok=0
dlc_threads_flag=()
if [ ! -x "$DLC" ]; then
  dlc_note="${dlc_note:-no dlc binary at $DLC (build it with swift build -c release)}"
elif ! help="$("$DLC" bench --help 2>&1)"; then
  dlc_note="$DLC has no \`bench\` subcommand (yet): \`dlc bench --help\` failed: $(echo "$help" | head -n 1)"
else
  dlc_ok=1
  if ! grep -q -- "--json" <<<"$help"; then
    echo "compare.sh: warning: \`dlc bench --help\` does not mention --json; trying it anyway" >&2
  fi
  if grep -q -- "--threads" <<<"$help"; then
    dlc_threads_flag=(--threads "$threads")
  fi
fi
[ -n "$dlc_note" ] && echo "compare.sh: $dlc_note" >&2

# 2. PyTorch (first: it also measures the sgemm ceiling and checks which kernels OpenBLAS picked).
echo "== PyTorch, $threads thread(s)" >&2
"$PYTHON" "$here/pytorch_bench.py" --threads "$threads" --models "$models" --repeats "$repeats" \
  --json "$work/pytorch.json" >&2 || echo "compare.sh: warning: pytorch_bench.py reported an error" >&2

suggested="$("$PYTHON" -c '
import json, sys
try:
    s = json.load(open(sys.argv[1]))["sgemm"]["system_openblas"]
    print(s.get("suggested_coretype") or "")
except Exception:
    pass' "$work/pytorch.json")"
if [ "$coretype" = "auto" ]; then coretype="$suggested"; fi
if [ -n "$coretype" ]; then
  export OPENBLAS_CORETYPE="$coretype"
  echo "compare.sh: running dlc with OPENBLAS_CORETYPE=$coretype" >&2
elif [ -n "$suggested" ]; then
  echo "compare.sh: note: the system OpenBLAS (the one dlc links) does not recognize this CPU and loads" >&2
  echo "  generic kernels; dlc switches to $suggested-class kernels itself (DLC_OPENBLAS_CORE=keep turns" >&2
  echo "  that off), so the sgemm ceiling that applies to dlc is the OPENBLAS_CORETYPE=$suggested one." >&2
fi

# 3. dlc bench, one spec at a time.
IFS=',' read -r -a model_list <<<"$models"
for m in "${model_list[@]}"; do
  [ "$dlc_ok" = 1 ] || break
  echo "== dlc bench specs/$m.yaml --json ${dlc_threads_flag[*]} ${DLC_BENCH_ARGS:-}" >&2
  # shellcheck disable=SC2086
  if ! "$DLC" bench "specs/$m.yaml" --json "${dlc_threads_flag[@]}" ${DLC_BENCH_ARGS:-} \
       >"$work/dlc-$m.out" 2>"$work/dlc-$m.err"; then
    echo "compare.sh: dlc bench specs/$m.yaml failed:" >&2
    tail -n 5 "$work/dlc-$m.err" >&2
    reason="$(grep -m 1 'error:' "$work/dlc-$m.err" || tail -n 1 "$work/dlc-$m.err")"
    echo "dlc bench exited with an error: $reason" >"$work/dlc-$m.error"
  fi
done

# 4. The table.
"$PYTHON" - "$work" "$models" "$threads" "$dlc_note" "${coretype:-}" "$json_out" <<'EOF'
import json, os, sys
work, models, threads, dlc_note, coretype, json_out = sys.argv[1:7]
models = [m for m in models.split(",") if m]

def dlc_result(m):
    """dlc bench's JSON object: the whole stdout, or else its last line that parses as an object."""
    err = os.path.join(work, "dlc-%s.error" % m)
    if os.path.exists(err):
        return None, open(err).read().strip()
    path = os.path.join(work, "dlc-%s.out" % m)
    if not os.path.exists(path):
        return None, "not run" if dlc_note else "no output"
    text = open(path).read()
    candidates = [text] + [line for line in reversed(text.splitlines()) if line.strip().startswith("{")]
    for c in candidates:
        try:
            obj = json.loads(c)
            if isinstance(obj, dict) and "samples_per_second" in obj:
                return obj, None
        except ValueError:
            pass
    return None, "dlc bench --json printed no JSON object with samples_per_second"

try:
    torch = json.load(open(os.path.join(work, "pytorch.json")))
except (OSError, ValueError):
    torch = {}

fmt = lambda v, f="%.0f": (f % v) if isinstance(v, (int, float)) else "n/a"
print("| model | batch | dlc samples/s | PyTorch samples/s | ratio | dlc GFLOP/s | PyTorch GFLOP/s (mm+conv) |")
print("|---|---:|---:|---:|---:|---:|---:|")
problems, combined = [], {"threads": int(threads), "models": {}}
for m in models:
    d, why = dlc_result(m)
    t = torch.get(m, {})
    if why:
        problems.append("%s: %s" % (m, why))
    ds = d.get("samples_per_second") if d else None
    ts = t.get("samples_per_second")
    ratio = ds / ts if isinstance(ds, (int, float)) and isinstance(ts, (int, float)) and ts else None
    print("| %s | %s | %s | %s | %s | %s | %s |" % (
        m, t.get("batch_size", "?"), fmt(ds), fmt(ts), fmt(ratio, "%.2fx"),
        fmt(d.get("gflops") if d else None, "%.3g"), fmt(t.get("gflops"), "%.3g")))
    combined["models"][m] = {"dlc": d, "dlc_error": why, "pytorch": t, "ratio": ratio}

print()
print("ratio = dlc samples/s / PyTorch samples/s (> 1: dlc is faster); %s thread(s); torch %s; "
      "PyTorch numbers are the median of its repeats." % (threads, next(
          (v.get("torch_version") for v in torch.values() if isinstance(v, dict) and v.get("torch_version")), "?")))
sg = torch.get("sgemm", {})
shapes = sg.get("shapes", {})
if shapes:
    e = shapes.get("mnist-mlp dense_0 forward 128x784 @ 784x256") or next(iter(shapes.values()))
    sysblas = sg.get("system_openblas") if isinstance(sg.get("system_openblas"), dict) else {}
    line = "sgemm ceiling, %dx%d @ %dx%d, best GFLOP/s: system OpenBLAS (dlc's) as loaded, kernels `%s`, %s" % (
        e["m"], e["k"], e["k"], e["n"], sysblas.get("corename", "?"), fmt(e.get("system_openblas_best_gflops")))
    over = sg.get("system_openblas_with_coretype")
    if over:
        o = over["shapes"].get("mnist-mlp dense_0 forward 128x784 @ 784x256", {})
        line += "; with OPENBLAS_CORETYPE=%s (what dlc switches to) %s" % (
            over["OPENBLAS_CORETYPE"], fmt(o.get("system_openblas_best_gflops")))
    line += ", numpy OpenBLAS %s, PyTorch MKL %s." % (fmt(e.get("numpy_openblas_best_gflops")),
                                                     fmt(e.get("torch_mkl_best_gflops")))
    print(line)
if coretype:
    print("dlc ran with OPENBLAS_CORETYPE=%s." % coretype)
print("load average after: %s" % " ".join(open("/proc/loadavg").read().split()[:3]))
if dlc_note:
    print("note: %s" % dlc_note)
for p in problems:
    print("note: dlc %s" % p)
combined["sgemm"] = sg
if json_out:
    with open(json_out, "w") as f:
        json.dump(combined, f, indent=2)
EOF
