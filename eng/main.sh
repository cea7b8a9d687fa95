#!/usr/bin/env bash
# The main job: installs missing system packages, builds, and runs the Fashion-MNIST job (Release):
# trains a class-conditional EDM2 UNet, reconstructs the post-hoc EMA, samples and evaluates (see --help).
# Extra arguments go to the sample program (see its --help).
set -euo pipefail
cd "$(dirname "$0")/.."
eng/ensure-deps.sh
dotnet run -c Release --project samples/DiffusionCore.Samples.FashionMnist -- "$@"
