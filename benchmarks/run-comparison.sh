#!/usr/bin/env bash
# Builds the benchmark program and measures the same workloads in .NET (DiffusionCore.Benchmarks --compare) and in
# Python (Debian's python3-torch, benchmarks/python/bench_torch.py) with the same flags, then prints both tables and
# the ratio .NET / Python per workload (below 1 means .NET is faster).
#
# Usage: benchmarks/run-comparison.sh [--threads N] [--warmup N] [--inner N] [--repeats N]
#                                     [--conv-warmup N] [--conv-repeats N] [--no-conv] [--quick]
# Environment: PYTHON (default /usr/bin/python3, the interpreter Debian's python3-torch is installed for).
# Both sides run one after the other, never at the same time. Python is needed only here, never by the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

python="${PYTHON:-/usr/bin/python3}"
if ! "$python" -c 'import torch' >/dev/null 2>&1; then
  echo "run-comparison: '$python' cannot import torch. Install Debian's package: sudo apt-get install -y python3-torch" >&2
  echo "(or set PYTHON to an interpreter that has torch 1.13 built against the same libtorch)" >&2
  exit 1
fi

project=benchmarks/DiffusionCore.Benchmarks
dotnet build -c Release "$project" --nologo -v quiet >/dev/null

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "== .NET =="
dotnet run -c Release --no-build --project "$project" -- --compare "$@" | tee "$work/dotnet.txt"
echo
echo "== Python =="
"$python" benchmarks/python/bench_torch.py "$@" | tee "$work/python.txt"
echo

# Join on the workload name. The .NET scope variant is compared with Python's plain add (reference counting plays the
# scope's role there); .NET-only rows (handle_roundtrip, native_call_floor) get no ratio.
awk '
  FNR == 1 { side++ }
  /^#/ || $1 == "workload" || NF < 4 { next }
  side == 1 { order[++n] = $1; dn[$1] = $2; unit[$1] = $4; next }
  side == 2 { py[$1] = $2 }
  END {
    printf "%-20s %8s %12s %12s %8s\n", "workload", "unit", ".NET", "Python", "ratio"
    for (i = 1; i <= n; i++) {
      w = order[i]; ref = w; sub(/_scope$/, "", ref)
      if (ref in py) printf "%-20s %8s %12.3f %12.3f %8.2f\n", w, unit[w], dn[w], py[ref], dn[w] / py[ref]
      else           printf "%-20s %8s %12.3f %12s %8s\n", w, unit[w], dn[w], "-", "-"
    }
    print "ratio = .NET median / Python median (below 1: .NET faster); add_f32x16_scope is compared with Python add_f32x16."
  }
' "$work/dotnet.txt" "$work/python.txt"
