#!/usr/bin/env bash
# Times data-parallel training on this machine (docs/distributed.md#throughput): full DiffusionTrainer steps of the main
# job's network and global batch (benchmarks/DiffusionCore.Benchmarks ddp-step) in three configurations, alternated
# round by round in a rotating order so that a change of the machine's load hits every configuration alike:
#   1 process × 2 threads     (OMP_NUM_THREADS=2)
#   2 processes × 1 thread    (eng/launch.sh -n 2 --threads 1: Gloo on loopback)
#   1 process × 1 thread      (the reference for the CPU time a data-parallel image costs)
# Each row gives the median ms/step, global images/s, CPU time (user + system) of all processes per image, and for
# 2 × 1 the time per step inside the gradient all-reduce (waiting for the other rank included) and the same all-reduce
# alone between barriers. The 1-minute load average is printed before every run. Run it un-niced: it measures time.
#
# Usage: benchmarks/alternate-ddp.sh [--rounds N (4)] [--steps N (8)] [--warmup N (2)] [--port P (29871)]
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=4 steps=8 warmup=2 port=29871
while [[ $# -gt 0 ]]; do
  if [[ "$1" == --* && $# -lt 2 ]]; then echo "alternate-ddp: $1 needs a value" >&2; exit 2; fi
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    *) echo "alternate-ddp: unknown option '$1' (see the usage at the top of $0)" >&2; exit 2 ;;
  esac
done
for v in "$rounds" "$steps" "$warmup" "$port"; do
  [[ "$v" =~ ^[0-9]+$ && "$v" -ge 1 ]] || { echo "alternate-ddp: options take positive integers, not '$v'" >&2; exit 2; }
done

dotnet build -c Release benchmarks/DiffusionCore.Benchmarks --nologo -v quiet >/dev/null
dll=benchmarks/DiffusionCore.Benchmarks/bin/Release/net10.0/DiffusionCore.Benchmarks.dll

run() {
  case "$1" in
    1x2) DIFFUSIONCORE_BENCH_THREADS=2 OMP_NUM_THREADS=2 dotnet "$dll" ddp-step "$steps" "$warmup" ;;
    2x1) DIFFUSIONCORE_BENCH_THREADS=1 eng/launch.sh -n 2 --threads 1 --master-port "$port" -- dotnet "$dll" ddp-step "$steps" "$warmup" ;;
    1x1) DIFFUSIONCORE_BENCH_THREADS=1 OMP_NUM_THREADS=1 dotnet "$dll" ddp-step "$steps" "$warmup" ;;
  esac
}

# One table row from a ddp-step report (rank 0's lines under the launcher carry a "[rank 0] " prefix).
row() {
  awk -v round="$1" -v config="$2" -v load="$3" '
    /median .* ms\/step/ { for (i = 1; i <= NF; i++) { if ($i == "median") ms = $(i + 1); if ($i == "images/s;") ips = $(i - 1); if ($i == "ms/image") cpu = $(i - 1) } }
    /gradient all-reduce in the step/ { for (i = 1; i <= NF; i++) { if ($i == "step:") red = $(i + 1) " ms (" substr($(i + 3), 2) " %)"; if ($i == "alone:") alone = $(i + 1) " ms (" substr($(i + 3), 2) " %)" } }
    END { printf "| %s (%s) | %s | %s | %s | %s | %s | %s |\n", round, load, config, ms, ips, cpu, red, alone }'
}

configs=(1x2 2x1 1x1)
echo "main job network, global batch 64, $rounds rounds of $steps steps after $warmup warm-up; $(nproc) cores; $(date -u '+%Y-%m-%d %H:%M') UTC"
echo "| round (load) | processes x threads | median ms/step | images/s | CPU ms/image | all-reduce in the step | all-reduce alone |"
echo "|---|---|---|---|---|---|---|"
for ((r = 1; r <= rounds; r++)); do
  for ((k = 0; k < ${#configs[@]}; k++)); do
    c=${configs[$(((k + r - 1) % ${#configs[@]}))]}
    load=$(cut -d' ' -f1 /proc/loadavg)
    run "$c" 2>&1 | row "$r" "$c" "$load"
  done
done
