#!/usr/bin/env bash
# Builds the benchmark program and measures the same workloads in .NET and in Python (Debian's python3-torch), one
# after the other, printing the ratio .NET / Python per workload (below 1 means .NET is faster):
#   1. the elementwise op loop and a conv2d forward + backward (DiffusionCore.Benchmarks compare against
#      benchmarks/python/bench_torch.py, same flags);
#   2. the EDM2 UNet training step of the main job's network (forward + backward, batch 64) and its sampling loop
#      (Heun 18 steps with batched CFG, batch SAMPLE_BATCH, default 32) — DiffusionCore.Benchmarks edm2-step /
#      edm2-sample against benchmarks/python/edm2_unet.py, the same layers written in plain PyTorch — in float32 and
#      in bfloat16 (DiffusionCore's bfloat16 products; PyTorch both with torch.autocast and with the same casts), each
#      against the same ops in Python (--formulation diffusioncore) and against EDM2's reference formulation.
#
# Usage: benchmarks/run-comparison.sh [--threads N] [--warmup N] [--inner N] [--repeats N]
#                                     [--conv-warmup N] [--conv-repeats N] [--no-conv] [--quick] [--no-edm2]
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

edm2=1
args=()
for a in "$@"; do
  if [[ "$a" == "--no-edm2" ]]; then edm2=0; else args+=("$a"); fi
done
set -- "${args[@]+"${args[@]}"}"

project=benchmarks/DiffusionCore.Benchmarks
dotnet build -c Release "$project" --nologo -v quiet >/dev/null

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The CPU kernel level DiffusionCore selects (e.g. AVX512, docs/libtorch.md). Python runs the small ops, the conv step
# and the same-ops EDM2 rows on it too; the EDM2 reference and autocast rows keep PyTorch's default level.
dll=benchmarks/DiffusionCore.Benchmarks/bin/Release/net10.0/DiffusionCore.Benchmarks.dll
threads=${DIFFUSIONCORE_BENCH_THREADS:-2}
kernels=$( { DIFFUSIONCORE_BENCH_THREADS=$threads dotnet "$dll" edm2-step 1 0 --net main | grep -o 'kernels [A-Z0-9 ]*' | head -1 | awk '{print tolower($2)}'; } || true)
[[ "$kernels" == avx512 || "$kernels" == avx2 ]] || kernels=""
same_level() { if [[ -n "$kernels" ]]; then ATEN_CPU_CAPABILITY=$kernels "$@"; else "$@"; fi; }
echo "DiffusionCore's CPU kernel level: ${kernels:-unknown} (Python's small-op, conv and same-ops rows use it)"

echo "== .NET =="
dotnet run -c Release --no-build --project "$project" -- compare "$@" | tee "$work/dotnet.txt"
echo
echo "== Python =="
same_level "$python" benchmarks/python/bench_torch.py "$@" | tee "$work/python.txt"
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

[[ "$edm2" == 1 ]] || exit 0

# 2. The EDM2 network: training step and sampling loop.
sample_batch=${SAMPLE_BATCH:-32}
median() { grep -o 'median [0-9.]*' | head -1 | awk '{print $2}'; }
echo
echo "== EDM2 main-job network: training step (forward + backward, batch 64) and sampling (Heun 18, CFG, batch $sample_batch) =="
printf "%-34s %12s %12s %8s\n" "workload" ".NET" "Python" "ratio"
row() { awk -v w="$1" -v d="$2" -v p="$3" 'BEGIN { printf "%-34s %12.1f %12.1f %8.2f\n", w, d, p, d / p }'; }
py_edm2() { "$python" benchmarks/python/edm2_unet.py --threads "$threads" "$@" | median; }
py_same() { same_level py_edm2 "$@"; }
for prec in fp32 bf16; do
  dn=$(DIFFUSIONCORE_BENCH_THREADS=$threads dotnet "$dll" edm2-step 5 2 --net main --precision "$prec" | median)
  row "train_step_$prec (ms/step)" "$dn" "$(py_same --mode step --precision "$prec" --steps 5 --warmup 2 --formulation diffusioncore)"
  row "train_step_${prec}_vs_reference" "$dn" "$(py_edm2 --mode step --precision "$prec" --steps 5 --warmup 2 --formulation reference)"
  if [[ "$prec" == bf16 ]]; then
    row "train_step_bf16_vs_autocast" "$dn" "$(py_edm2 --mode step --precision autocast --steps 5 --warmup 2 --formulation reference)"
  fi
done
for prec in fp32 bf16; do
  dn=$(DIFFUSIONCORE_BENCH_THREADS=$threads dotnet "$dll" edm2-sample --batch "$sample_batch" --repeats 2 --precision "$prec" | median)
  row "sample_$prec (ms/run)" "$dn" "$(py_same --mode sample --precision "$prec" --batch "$sample_batch" --steps 2 --warmup 1 --formulation diffusioncore)"
  row "sample_${prec}_vs_reference" "$dn" "$(py_edm2 --mode sample --precision "$prec" --batch "$sample_batch" --steps 2 --warmup 1 --formulation reference)"
  if [[ "$prec" == bf16 ]]; then
    row "sample_bf16_vs_autocast" "$dn" "$(py_edm2 --mode sample --precision autocast --batch "$sample_batch" --steps 2 --warmup 1 --formulation reference)"
  fi
done
echo "ratio = .NET median / Python median. Plain rows: Python runs the same ops (--formulation diffusioncore) on the"
echo "same CPU kernel level; *_vs_reference: EDM2's reference formulation at PyTorch's default kernel level;"
echo "*_vs_autocast: that formulation under torch.autocast."

