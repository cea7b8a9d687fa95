#!/usr/bin/env bash
# The main job: installs missing system packages, builds, and runs the sample trainer (Release).
# Extra arguments go to the sample program (see its --help).
set -euo pipefail
cd "$(dirname "$0")/.."
eng/ensure-deps.sh
dotnet run -c Release --project samples/DiffusionCore.Samples.Train -- "$@"
