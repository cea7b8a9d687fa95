#!/usr/bin/env bash
# Starts N processes of a command on this machine for data-parallel training, with torchrun's launch variables:
#   RANK  WORLD_SIZE  LOCAL_RANK  LOCAL_WORLD_SIZE  MASTER_ADDR  MASTER_PORT
# (read by DistributedEnvironment.FromEnvironment() in DiffusionCore.Torch.Distributed). Every output line of a rank is
# forwarded with the prefix "[rank R] ". When a rank exits with an error, the others are stopped (SIGTERM, then SIGKILL
# after --grace seconds) and the launcher exits with that rank's code; Ctrl+C stops every rank.
#
#   eng/launch.sh -n 2 -- dotnet run --project samples/DiffusionCore.Samples.FashionMnist -c Release
#
# Several machines: run the launcher once per machine with the same --nnodes, --master-addr and --master-port and its
# own --node-rank (0 on the machine that hosts rank 0); see docs/distributed.md.
#
# Options:
#   -n, --nproc-per-node N   processes on this machine (default 1)
#   --nnodes M               machines (default 1)
#   --node-rank I            this machine's index, 0..M-1 (default 0)
#   --master-addr A          address of the machine of rank 0 (default 127.0.0.1, or $MASTER_ADDR)
#   --master-port P          free TCP port there (default 29500, or $MASTER_PORT)
#   --threads T              OMP_NUM_THREADS of each process (default: $OMP_NUM_THREADS, else the machine's cores / N, at least 1)
#   --grace S                seconds between SIGTERM and SIGKILL when stopping ranks (default 5)
set -euo pipefail

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
  exit 2
}

die() {
  echo "launch.sh: $1" >&2
  exit 2
}

is_int() { [[ "$1" =~ ^[0-9]+$ ]]; }

nproc=1
nnodes=1
node_rank=0
master_addr="${MASTER_ADDR:-127.0.0.1}"
master_port="${MASTER_PORT:-29500}"
threads="${OMP_NUM_THREADS:-}"
grace=5

while [[ $# -gt 0 ]]; do
  case "$1" in
    -n|--nproc-per-node|--nnodes|--node-rank|--master-addr|--master-port|--threads|--grace)
      [[ $# -ge 2 ]] || die "$1 needs a value"
      case "$1" in
        -n|--nproc-per-node) nproc="$2" ;;
        --nnodes) nnodes="$2" ;;
        --node-rank) node_rank="$2" ;;
        --master-addr) master_addr="$2" ;;
        --master-port) master_port="$2" ;;
        --threads) threads="$2" ;;
        --grace) grace="$2" ;;
      esac
      shift 2 ;;
    -h|--help) usage ;;
    --) shift; break ;;
    *) die "unknown option '$1' (the command goes after --; see --help)" ;;
  esac
done

[[ $# -gt 0 ]] || die "no command given: eng/launch.sh -n N -- <command> [args]"
is_int "$nproc" && (( nproc >= 1 )) || die "-n must be a positive integer, got '$nproc'"
is_int "$nnodes" && (( nnodes >= 1 )) || die "--nnodes must be a positive integer, got '$nnodes'"
is_int "$node_rank" && (( node_rank < nnodes )) || die "--node-rank must be in 0..$((nnodes - 1)), got '$node_rank'"
is_int "$master_port" && (( master_port >= 1 && master_port <= 65535 )) || die "--master-port must be in 1..65535, got '$master_port'"
is_int "$grace" || die "--grace must be a whole number of seconds, got '$grace'"
if [[ -z "$threads" ]]; then
  cores=$(nproc 2>/dev/null || echo 1)
  threads=$(( cores / nproc > 0 ? cores / nproc : 1 ))
fi
is_int "$threads" && (( threads >= 1 )) || die "--threads must be a positive integer, got '$threads'"

world=$(( nproc * nnodes ))
declare -a pids=()
declare -A rank_of=()

# Each rank runs in its own process group (job control below), so stopping a rank also stops the processes it started
# (dotnet run starts the application as a child).
stop_all() {
  local signal="$1"
  for pid in "${pids[@]}"; do kill "-$signal" -- "-$pid" 2>/dev/null || kill "-$signal" "$pid" 2>/dev/null || true; done
}

stop_with_grace() {
  stop_all TERM
  local waited=0
  while (( waited < grace * 10 )); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    (( alive == 0 )) && return
    sleep 0.1
    waited=$(( waited + 1 ))
  done
  stop_all KILL
}

trap 'echo "launch.sh: interrupted, stopping all ranks" >&2; stop_with_grace; exit 130' INT
trap 'stop_with_grace; exit 143' TERM

set -m
for (( local_rank = 0; local_rank < nproc; local_rank++ )); do
  rank=$(( node_rank * nproc + local_rank ))
  (
    export RANK="$rank" WORLD_SIZE="$world" LOCAL_RANK="$local_rank" LOCAL_WORLD_SIZE="$nproc"
    export MASTER_ADDR="$master_addr" MASTER_PORT="$master_port" OMP_NUM_THREADS="$threads"
    exec "$@"
  ) > >(sed -u "s/^/[rank $rank] /") 2> >(sed -u "s/^/[rank $rank] /" >&2) &
  pids+=("$!")
  rank_of[$!]=$rank
done
set +m

status=0
remaining=("${pids[@]}")
while (( ${#remaining[@]} > 0 )); do
  finished=""
  set +e
  wait -n -p finished "${remaining[@]}"
  code=$?
  set -e
  [[ -n "$finished" ]] || break
  next=()
  for pid in "${remaining[@]}"; do [[ "$pid" == "$finished" ]] || next+=("$pid"); done
  remaining=("${next[@]+"${next[@]}"}")
  if (( code != 0 )); then
    echo "launch.sh: rank ${rank_of[$finished]} exited with code $code; stopping the other ranks" >&2
    pids=("${remaining[@]+"${remaining[@]}"}")
    (( ${#pids[@]} > 0 )) && stop_with_grace
    status=$code
    break
  fi
done

wait 2>/dev/null || true  # let the prefixing filters flush
exit "$status"
