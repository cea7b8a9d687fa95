#!/usr/bin/env bash
# Times the main job's EDM2 training step in DiffusionCore and in Debian's python3-torch running the same libtorch ops
# (benchmarks/python/edm2_unet.py --formulation diffusioncore, at DiffusionCore's CPU kernel level), alternating the
# two processes for several rounds (.NET then Python, Python then .NET, ...). Each process reports its median ms/step;
# the script prints every round's ratio .NET / Python and their median and quartiles. On a host whose speed drifts by
# ±20–40 % between runs, one run of each side (run-comparison.sh) can show either side ahead; the per-round ratios of
# many alternating rounds say whether one is.
#
# Usage: benchmarks/alternate-processes.sh [--rounds N (8)] [--steps N (8)] [--warmup N (5)] [--precision fp32|bf16 (bf16)]
# Environment: PYTHON (default /usr/bin/python3), DIFFUSIONCORE_BENCH_THREADS (2). Never runs the two sides together.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=8 steps=8 warmup=5 precision=bf16
while [[ $# -gt 0 ]]; do
  if [[ "$1" == --* && $# -lt 2 ]]; then echo "alternate-processes: $1 needs a value" >&2; exit 2; fi
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --precision) precision=$2; shift 2 ;;
    *) echo "alternate-processes: unknown option '$1' (see the usage at the top of $0)" >&2; exit 2 ;;
  esac
done
for v in "$rounds" "$steps" "$warmup"; do
  [[ "$v" =~ ^[0-9]+$ && "$v" -ge 1 ]] || { echo "alternate-processes: --rounds, --steps and --warmup take positive integers, not '$v'" >&2; exit 2; }
done
[[ "$precision" == fp32 || "$precision" == bf16 ]] || { echo "alternate-processes: --precision is fp32 or bf16, not '$precision'" >&2; exit 2; }

python="${PYTHON:-/usr/bin/python3}"
if ! "$python" -c 'import torch' >/dev/null 2>&1; then
  echo "alternate-processes: '$python' cannot import torch. Install Debian's package: sudo apt-get install -y python3-torch" >&2
  exit 1
fi

dotnet build -c Release benchmarks/DiffusionCore.Benchmarks --nologo -v quiet >/dev/null
dll=benchmarks/DiffusionCore.Benchmarks/bin/Release/net10.0/DiffusionCore.Benchmarks.dll
threads=${DIFFUSIONCORE_BENCH_THREADS:-2}
median() { grep -o 'median [0-9.]*' | head -1 | awk '{print $2}'; }

net_side() { DIFFUSIONCORE_BENCH_THREADS=$threads dotnet "$dll" edm2-step "$steps" "$warmup" --net main --precision "$precision"; }
kernels=$(DIFFUSIONCORE_BENCH_THREADS=$threads dotnet "$dll" edm2-step 1 0 --net main | grep -o 'kernels [A-Z0-9 ]*' | head -1 | awk '{print tolower($2)}' || true)
py_side() {
  if [[ "$kernels" == avx512 || "$kernels" == avx2 ]]; then export ATEN_CPU_CAPABILITY=$kernels; fi
  "$python" benchmarks/python/edm2_unet.py --threads "$threads" --mode step --precision "$precision" \
    --steps "$steps" --warmup "$warmup" --formulation diffusioncore
}

echo "main job's network, training step (forward + backward, batch 64), $precision, $rounds rounds of $steps steps after $warmup warm-up; CPU kernels ${kernels:-unknown} on both sides"
printf "%6s %10s %10s %8s\n" round ".NET ms" "Python ms" ratio
ratios=()
for ((r = 1; r <= rounds; r++)); do
  if ((r % 2 == 1)); then dn=$(net_side | median); py=$(py_side | median)
  else py=$(py_side | median); dn=$(net_side | median); fi
  ratio=$(awk -v d="$dn" -v p="$py" 'BEGIN { printf "%.3f", d / p }')
  ratios+=("$ratio")
  printf "%6d %10.1f %10.1f %8.2f\n" "$r" "$dn" "$py" "$ratio"
done
printf '%s\n' "${ratios[@]}" | sort -g | awk '
  { v[NR] = $1 }
  function q(p,   x, i) { x = p * (NR - 1) + 1; i = int(x); return i >= NR ? v[NR] : v[i] + (x - i) * (v[i + 1] - v[i]) }
  END { printf "ratio .NET / Python: median %.2f, quartiles %.2f–%.2f, range %.2f–%.2f (below 1: .NET faster)\n", q(0.5), q(0.25), q(0.75), v[1], v[NR] }'
