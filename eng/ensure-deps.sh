#!/usr/bin/env bash
# Installs the system packages DiffusionCore needs when they are missing (Debian 12), and skips those present:
#   libtorch-dev          libtorch 1.13 headers, CMake config and shared libraries (the shim links against it)
#   libopenblas0-openmp   an optimised BLAS, so libtorch does not fall back to the slow reference BLAS
#   cmake g++             to build the native shim during `dotnet build`
#   libgloo-dev           Gloo's headers, included by libtorch's c10d headers (the shim's data-parallel process groups)
#   dataset-fashion-mnist the Fashion-MNIST IDX files used by the main job and the data tests
#   fonts-dejavu-core     the font of the main job's plots (SkiaSharp reads /usr/share/fonts itself, no fontconfig)
# Runs apt-get non-interactively, as root or through sudo. Set DIFFUSIONCORE_SKIP_APT=1 to skip this step entirely
# (e.g. when building against LIBTORCH=<dir> on a machine you manage yourself).
set -euo pipefail

if [[ "${DIFFUSIONCORE_SKIP_APT:-0}" == "1" ]]; then
  exit 0
fi

packages=(libtorch-dev libopenblas0-openmp cmake g++ dataset-fashion-mnist)
packages+=(fonts-dejavu-core)
packages+=(libgloo-dev)
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "DiffusionCore needs these packages but apt-get is not available: ${missing[*]}" >&2
  echo "Install libtorch (>= 1.13), an optimised BLAS, cmake and g++ yourself, and set LIBTORCH=<dir> if libtorch is not in a system path." >&2
  exit 1
fi

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo_cmd=(sudo -n)
  else
    echo "Missing packages (${missing[*]}) and not root, and sudo is not available: install them as root:" >&2
    echo "  apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

echo "Installing missing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
