#!/usr/bin/env bash
# Study 2 of docs/control-conditioning.md: resolution transfer 16² → 32² against 32² from scratch, at two budgets of
# training-loop CPU seconds (libtorch on one intra-op thread, so the budget does not depend on the host's load).
#   scratch:  32² from scratch to budget A, scored, resumed to budget B, scored;
#   transfer: 16² pre-training to f·A, transferred (position embedding resampled, noise shift s = 2) and trained at 32²
#             to A in all, scored; the 16² run resumed to f·B and transferred again, trained to B in all, scored;
#   ablation (with --ablation): as transfer at B but with the naive position-embedding extension.
# Usage: benchmarks/DiffusionCore.ControlStudy/transfer-study.sh [--budget-a S (300)] [--budget-b S (600)]
#        [--fraction F (0.5)] [--samples N (500)] [--steps N (12)] [--guidance W (2)] [--root DIR (runs/transfer)] [--ablation]
# Output: ROOT/results.jsonl, ROOT/table.md, ROOT/fd-vs-budget.png, ROOT/*.png sample grids; logs in ROOT/*.log.
set -euo pipefail
cd "$(dirname "$0")/../.."
a=300 b=600 f=0.5 samples=500 steps=12 w=2 root=runs/transfer ablation=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --ablation) ablation=1; shift; continue ;;
  esac
  if [[ "$1" == --* && $# -lt 2 ]]; then echo "transfer-study: $1 needs a value" >&2; exit 2; fi
  case "$1" in
    --budget-a) a=$2 ;; --budget-b) b=$2 ;; --fraction) f=$2 ;; --samples) samples=$2 ;;
    --steps) steps=$2 ;; --guidance) w=$2 ;; --root) root=$2 ;;
    *) echo "transfer-study: unknown option '$1' (see the usage at the top of $0)" >&2; exit 2 ;;
  esac
  shift 2
done
awk -v a="$a" -v b="$b" -v f="$f" 'BEGIN { exit !(a > 0 && b > a && f > 0 && f < 1) }' \
  || { echo "transfer-study: need 0 < budget-a < budget-b and 0 < fraction < 1" >&2; exit 2; }

nice -n 19 dotnet build -c Release benchmarks/DiffusionCore.ControlStudy --nologo -v quiet >/dev/null
dll=benchmarks/DiffusionCore.ControlStudy/bin/Release/net10.0/DiffusionCore.ControlStudy.dll
mkdir -p "$root"
study() { nice -n 19 dotnet "$dll" "$@"; }
score() { # arm budget run
  study transfer-eval --arm "$1" --budget "$2" --run "$3" --samples "$samples" --steps "$steps" --guidance "$w" \
    --results "$root/results.jsonl" --grid "$root/$1-$2.png"
}
pre() { awk -v x="$1" -v f="$f" 'BEGIN { print x * f }'; }

uptime | tee -a "$root/uptime.log"
scratch() {
  study transfer-train --resolution 32 --run "$root/scratch" --cpu-seconds "$a"
  score scratch "$a" "$root/scratch"
  study transfer-train --resolution 32 --run "$root/scratch" --cpu-seconds "$b"
  score scratch "$b" "$root/scratch"
}
transfer() {
  study transfer-train --resolution 16 --run "$root/pre16" --cpu-seconds "$(pre "$a")"
  study transfer-train --resolution 32 --run "$root/transfer-$a" --from "$root/pre16" --cpu-seconds "$a"
  score transfer "$a" "$root/transfer-$a"
  study transfer-train --resolution 16 --run "$root/pre16" --cpu-seconds "$(pre "$b")"
  if [[ "$ablation" == 1 ]]; then
    { study transfer-train --resolution 32 --run "$root/naive-$b" --from "$root/pre16" --resampling integerpositions --cpu-seconds "$b"
      score transfer-naive "$b" "$root/naive-$b"; } > "$root/ablation.log" 2>&1 &
  fi
  study transfer-train --resolution 32 --run "$root/transfer-$b" --from "$root/pre16" --cpu-seconds "$b"
  score transfer "$b" "$root/transfer-$b"
  wait
}
scratch > "$root/scratch.log" 2>&1 &
transfer > "$root/transfer.log" 2>&1 &
wait
study transfer-figure --results "$root/results.jsonl" --png "$root/fd-vs-budget.png" --table "$root/table.md"
uptime | tee -a "$root/uptime.log"
