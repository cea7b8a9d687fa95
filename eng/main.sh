#!/usr/bin/env bash
# The main job: installs missing system packages, builds, and runs the Fashion-MNIST job (Release):
# trains a class-conditional EDM2 (or flow) UNet, sweeps the post-hoc EMA length and guidance scale, samples and
# evaluates; --minutes M bounds the whole job (see --help).
# Extra arguments go to the sample program (see its --help).
set -euo pipefail
cd "$(dirname "$0")/.."
eng/ensure-deps.sh
dotnet run -c Release --project samples/DiffusionCore.Samples.FashionMnist -- "$@"
