#!/usr/bin/env bash
# Builds the API reference (docs/api/README.md) from the XML documentation of the packages under src/:
#   1. `dotnet build -c Release` of each src project (their DLLs and XML docs are docfx's input);
#   2. `dotnet tool restore` (docfx 2.81.0 from .config/dotnet-tools.json, served by the NuGet feed);
#   3. `docfx metadata` → docs/api/api/*.yml (git-ignored), `docfx build` → artifacts/api/site/ (static HTML, open
#      index.html). No network access beyond NuGet: docfx reads the built assemblies, not the web, and git features are off.
# Usage: eng/api-docs.sh [--no-build] [--metadata-only]
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
build=1 site=1
for arg in "$@"; do
  case "$arg" in
    --no-build) build=0 ;;
    --metadata-only) site=0 ;;
    *) echo "usage: eng/api-docs.sh [--no-build] [--metadata-only]" >&2; exit 2 ;;
  esac
done

if [[ $build -eq 1 ]]; then
  dotnet build DiffusionCore.Packages.slnf -c Release -nologo -v quiet
fi
for proj in src/*/*.csproj; do
  id=$(basename "$proj" .csproj)
  dll="src/$id/bin/Release/net10.0/$id.dll"
  [[ -f "$dll" && -f "${dll%.dll}.xml" ]] || { echo "api-docs: $dll or its XML docs are missing; run without --no-build" >&2; exit 1; }
  grep -q "\"$id/bin/Release/net10.0/$id.dll\"" docs/api/docfx.json || { echo "api-docs: docs/api/docfx.json does not list $id" >&2; exit 1; }
done

dotnet tool restore >/dev/null
rm -rf artifacts/api docs/api/api
dotnet docfx metadata docs/api/docfx.json
count=$(find docs/api/api -name "*.yml" | wc -l)
echo "api-docs: $count YAML pages in docs/api/api (git-ignored)"
if [[ $site -eq 1 ]]; then
  dotnet docfx build docs/api/docfx.json
  echo "api-docs: site in artifacts/api/site (open artifacts/api/site/index.html)"
fi
