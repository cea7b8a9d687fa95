#!/usr/bin/env bash
# The MaskDM study of docs/maskdm.md: a small DiT (patch 4, width 128, depth 6) on Fashion-MNIST 32×32.
#   1. speed of learning: from scratch vs masked pre-training (50 % and 90 %, 2×2-token blocks) then unmasked fine-tuning,
#      at the same training CPU budget (two budgets);
#   2. transfer: masked pre-training (90 %) on classes 0–4, fine-tuning on 3,000 images of classes 5–9, against training on
#      those 3,000 images from scratch for the fine-tuning budget.
# Loss: EDM (Karras et al. 2022) with EDM preconditioning, AdamW lr 1e-3, batch 32.
# The budget is load-independent: libtorch runs on one intra-op thread and each arm's images are computed from the CPU
# seconds per step that `steptime` measured (CPU_MS_*; batch 64, converted per image), so every arm spends the same
# training-process CPU time; each arm records the CPU time it really used. Masked arms spend half of the budget masked.
# Usage: benchmarks/maskdm-study.sh [--budget-a SECONDS (20)] [--budget-b SECONDS (40)] [--lanes N (4)]
# Output: benchmarks/results/maskdm/results.jsonl (one line per arm), docs/images/maskdm/NAME.png (grids).
set -euo pipefail
cd "$(dirname "$0")/.."
budget_a=20 budget_b=40 lanes=4
while [[ $# -gt 0 ]]; do
  if [[ "$1" == --* && $# -lt 2 ]]; then echo "maskdm-study: $1 needs a value" >&2; exit 2; fi
  case "$1" in
    --budget-a) budget_a=$2; shift 2 ;;
    --budget-b) budget_b=$2; shift 2 ;;
    --lanes) lanes=$2; shift 2 ;;
    *) echo "maskdm-study: unknown option '$1' (see the usage at the top of $0)" >&2; exit 2 ;;
  esac
done
for v in "$budget_a" "$budget_b" "$lanes"; do
  [[ "$v" =~ ^[0-9]+$ && "$v" -ge 1 ]] || { echo "maskdm-study: budgets and lanes are positive integers, not '$v'" >&2; exit 2; }
done

# CPU ms per step at batch 64, one thread (steptime, 2026-12-05; docs/maskdm.md).
CPU_MS_0=${CPU_MS_0:-417.4} CPU_MS_50=${CPU_MS_50:-211.0} CPU_MS_90=${CPU_MS_90:-79.2}
batch=32
# images that SECONDS of CPU buy at CPU_MS per 64-image step, rounded down to whole batches
images() { awk -v s="$1" -v ms="$2" -v b="$batch" 'BEGIN { n = int(s * 1000 / ms * 64 / b) * b; if (n < b) n = b; print n }'; }

nice -n 15 dotnet build -c Release benchmarks/DiffusionCore.MaskDmStudy --nologo -v quiet >/dev/null
dll=benchmarks/DiffusionCore.MaskDmStudy/bin/Release/net10.0/DiffusionCore.MaskDmStudy.dll
out=benchmarks/results/maskdm/results.jsonl
mkdir -p "$(dirname "$out")"
common=(--run-root runs/maskdm --batch "$batch" --sampler-steps 10 --out "$out" --grid-dir docs/images/maskdm)
# arm NAME OPTIONS…: trains, samples 300 images (unless the options say --samples) and scores
arm() { local s=(--samples 300); [[ " $* " == *" --samples "* ]] && s=(); nice -n 15 dotnet "$dll" arm "${common[@]}" "${s[@]}" "$@" 2>&1 | grep -v '^\s*$' | tail -2; }

# scratch | masked pre-training for half of the budget, then fine-tuning for the other half
speed_arm() { # name budget ratio ms_masked
  local name=$1 budget=$2 ratio=$3 ms=$4
  if [[ "$ratio" == 0 ]]; then
    arm --name "$name" --total-images "$(images "$budget" "$CPU_MS_0")"
  else
    local p f; p=$(images $((budget / 2)) "$ms"); f=$(images $((budget / 2)) "$CPU_MS_0")
    arm --name "$name" --mask-ratio "$ratio" --block 2 --pretrain-images "$p" --total-images $((p + f))
  fi
}
transfer() {
  local p; p=$(images "$budget_a" "$CPU_MS_90")
  arm --name transfer-pretrain-0-4 --classes 0-4 --mask-ratio 0.9 --block 2 --pretrain-images "$p" --total-images "$p" --samples 0
  arm --name transfer-finetune-5-9 --classes 5-9 --max-images 3000 --init-from runs/maskdm/transfer-pretrain-0-4 --total-images "$(images "$budget_a" "$CPU_MS_0")"
}

uptime
lane1() { speed_arm mask90-b "$budget_b" 0.9 "$CPU_MS_90"; speed_arm scratch-a "$budget_a" 0 0; }
lane2() { speed_arm mask50-b "$budget_b" 0.5 "$CPU_MS_50"; speed_arm mask50-a "$budget_a" 0.5 "$CPU_MS_50"; }
lane3() { speed_arm scratch-b "$budget_b" 0 0; speed_arm mask90-a "$budget_a" 0.9 "$CPU_MS_90"; }
lane4() { transfer; arm --name transfer-scratch-5-9 --classes 5-9 --max-images 3000 --total-images "$(images "$budget_a" "$CPU_MS_0")"; }
if [[ "$lanes" -ge 4 ]]; then
  lane1 & lane2 & lane3 & lane4 & wait
else
  lane1; lane2; lane3; lane4
fi
dotnet "$dll" figure --results "$out" --png docs/images/maskdm/fd-vs-budget.png
uptime
