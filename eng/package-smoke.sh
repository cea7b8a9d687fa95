#!/usr/bin/env bash
# Consumer proof for the NuGet packages (docs/packages.md):
#   1. `dotnet pack DiffusionCore.Packages.slnf -c Release -o <tmp>/feed` (one package per src project, with symbols);
#   2. checks each .nupkg holds lib/net10.0/<id>.dll and .xml and README.md, that a .snupkg sits next to it, and that
#      DiffusionCore.Torch carries runtimes/linux-x64/native/libdiffusioncore_native.so;
#   3. `dotnet new console` in a temp directory, with a nuget.config whose sources are the local feed (for the
#      DiffusionCore* ids only) and the feeds of the repository's nuget.config (for everything else), and
#      PackageReferences to DiffusionCore.Torch, DiffusionCore, .Data, .Conditioning, .Networks, .Merge, .Training,
#      .Sampling and .Hosting at the exact version (and Microsoft.Extensions.Hosting for docs/hosting.md's example,
#      eng/package-smoke/HostedTraining.cs, which is compiled with Program.cs);
#   4. builds it (warnings as errors) and runs eng/package-smoke/Program.cs: writes synthetic 8x8 PNGs, loads them as
#      an ImageFolderDataset (DiffusionCore.Data, SkiaSharp codecs), trains a tiny EDM2 UNet for a few steps, finds its
#      checkpoint through TrainingRun, merges it with itself (DiffusionCore.Merge), then checks the shape and finiteness
#      of a guided Heun sample (DiffusionCore.Conditioning), and writes a labelled image folder with dataset.json;
#   5. compiles the two programs of docs/walkthrough.md exactly as written there (the C# blocks after the
#      "<!-- walkthrough: train -->" and "<!-- walkthrough: generate -->" markers) as two more console apps on the
#      same packages, trains on that folder with a tiny budget and exports the post-hoc EMA (first process), then loads
#      the file and writes a guided PNG grid (second process), and checks the grid's size.
# The consumer restores into its own NUGET_PACKAGES folder, so a DiffusionCore 0.1.0 left in ~/.nuget/packages by an
# earlier build can never stand in for the packages just packed. Everything lives in one mktemp directory, removed
# on exit (set KEEP_SMOKE_DIR=1 to keep it). Exits non-zero on any failure, printing the failing step's log.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

work=$(mktemp -d "${TMPDIR:-/tmp}/diffusioncore-package-smoke.XXXXXX")
cleanup() {
  if [[ "${KEEP_SMOKE_DIR:-0}" == "1" ]]; then echo "package-smoke: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
feed="$work/feed"
app="$work/consumer"
start=$SECONDS

# Runs a step quietly into $work/<name>.log; on failure prints the log's tail and stops.
step() {
  local name=$1; shift
  if ! "$@" >"$work/$name.log" 2>&1; then
    echo "package-smoke: FAILED at '$name' ($*); last lines of its log:" >&2
    tail -n 40 "$work/$name.log" >&2
    exit 1
  fi
}
fail() { echo "package-smoke: FAILED: $*" >&2; exit 1; }

eng/ensure-deps.sh

# 1. Pack.
step pack dotnet pack DiffusionCore.Packages.slnf -c Release -o "$feed" -nologo
version=$(dotnet msbuild src/DiffusionCore.Torch/DiffusionCore.Torch.csproj -getProperty:Version)

# 2. Every src project has a package with its assembly, XML docs, README and a symbols package.
ids=()
for proj in src/*/*.csproj; do
  id=$(basename "$proj" .csproj)
  ids+=("$id")
  nupkg="$feed/$id.$version.nupkg"
  [[ -f "$nupkg" ]] || fail "no package $id.$version.nupkg in the feed"
  [[ -f "$feed/$id.$version.snupkg" ]] || fail "no symbols package $id.$version.snupkg"
  listing=$(unzip -Z1 "$nupkg")
  for entry in "lib/net10.0/$id.dll" "lib/net10.0/$id.xml" README.md; do
    grep -qxF "$entry" <<<"$listing" || fail "$id.$version.nupkg lacks $entry"
  done
done
listing=$(unzip -Z1 "$feed/DiffusionCore.Torch.$version.nupkg")   # not piped into grep -q: SIGPIPE under pipefail
grep -qxF runtimes/linux-x64/native/libdiffusioncore_native.so <<<"$listing" \
  || fail "DiffusionCore.Torch.$version.nupkg lacks runtimes/linux-x64/native/libdiffusioncore_native.so"
for entry in build/DiffusionCore.Torch.targets buildTransitive/DiffusionCore.Torch.targets; do
  grep -qxF "$entry" <<<"$listing" || fail "DiffusionCore.Torch.$version.nupkg lacks $entry (the warning for other runtime identifiers)"
done
echo "package-smoke: packed ${#ids[@]} packages at $version with symbols ($((SECONDS - start)) s)"

# 3. A fresh console app outside the repository (empty Directory.* files stop MSBuild from looking further up).
for f in Directory.Build.props Directory.Build.targets Directory.Packages.props; do echo '<Project />' >"$work/$f"; done
step new dotnet new console -o "$app" -n SmokeConsumer --no-restore
upstream=$(dotnet nuget list source --format short --configfile "$repo/nuget.config" | awk '$1 == "E" { print $2 }')
[[ -n "$upstream" ]] || fail "no enabled package source in $repo/nuget.config"
{
  echo '<?xml version="1.0" encoding="utf-8"?>'
  echo '<configuration>'
  echo '  <packageSources>'
  echo '    <clear />'
  echo "    <add key=\"diffusioncore-local\" value=\"$feed\" />"
  i=0; for url in $upstream; do i=$((i + 1)); echo "    <add key=\"upstream-$i\" value=\"$url\" />"; done
  echo '  </packageSources>'
  echo '  <packageSourceMapping>'
  echo '    <packageSource key="diffusioncore-local"><package pattern="DiffusionCore*" /></packageSource>'
  i=0; for url in $upstream; do i=$((i + 1)); echo "    <packageSource key=\"upstream-$i\"><package pattern=\"*\" /></packageSource>"; done
  echo '  </packageSourceMapping>'
  echo '</configuration>'
} >"$app/nuget.config"
refs=""
for id in DiffusionCore.Torch DiffusionCore DiffusionCore.Data DiffusionCore.Conditioning DiffusionCore.Networks DiffusionCore.Merge DiffusionCore.Training DiffusionCore.Sampling DiffusionCore.Hosting DiffusionCore.Generation; do
  refs+="    <PackageReference Include=\"$id\" Version=\"[$version]\" />"$'\n'
done
# docs/hosting.md's example (HostedTraining.cs) needs the host itself, at the version the repository uses.
hosting_version=$(sed -n 's/.*Include="Microsoft.Extensions.Hosting" Version="\([^"]*\)".*/\1/p' Directory.Packages.props)
[[ -n "$hosting_version" ]] || fail "no Microsoft.Extensions.Hosting version in Directory.Packages.props"
refs+="    <PackageReference Include=\"Microsoft.Extensions.Hosting\" Version=\"$hosting_version\" />"$'\n'
sed -i "s#^</Project>#  <ItemGroup>\n${refs//$'\n'/\\n}  </ItemGroup>\n</Project>#" "$app/SmokeConsumer.csproj"
grep -q 'Include="DiffusionCore.Sampling"' "$app/SmokeConsumer.csproj" || fail "could not add the PackageReferences"
cp eng/package-smoke/Program.cs "$app/Program.cs"
cp eng/package-smoke/HostedTraining.cs "$app/HostedTraining.cs"   # docs/hosting.md's example: compiled against the packages

# 4. Build against the packages only (own package cache), then run.
build_start=$SECONDS
step build env NUGET_PACKAGES="$work/packages" dotnet build "$app" -c Release -nologo -warnaserror
echo "package-smoke: consumer restored and built from the feed ($((SECONDS - build_start)) s)"
set +e
env -u DIFFUSIONCORE_NATIVE dotnet "$app/bin/Release/net10.0/SmokeConsumer.dll" "$work/run" 2>&1 | sed 's/^/  /'
status=${PIPESTATUS[0]}
set -e
[[ $status -eq 0 ]] || fail "the consumer program exited with $status"

# 5. The walkthrough (docs/walkthrough.md), as written, in two processes: train + export, then load + grid.
walk_block() {  # prints the csharp block that follows "<!-- walkthrough: $1 -->"
  awk -v tag="<!-- walkthrough: $1 -->" '
    state == 2 { if ($0 == "```") exit; print; next }
    $0 == tag { state = 1; next }
    state == 1 && $0 == "```csharp" { state = 2 }' docs/walkthrough.md
}
for part in train generate; do
  dir="$work/walkthrough-$part"
  mkdir -p "$dir"
  cp "$app/SmokeConsumer.csproj" "$dir/Walkthrough${part^}.csproj"
  cp "$app/nuget.config" "$dir/nuget.config"
  walk_block "$part" >"$dir/Program.cs"
  [[ -s "$dir/Program.cs" ]] || fail "docs/walkthrough.md has no csharp block after <!-- walkthrough: $part -->"
  step "walkthrough-build-$part" env NUGET_PACKAGES="$work/packages" dotnet build "$dir" -c Release -nologo -warnaserror
done
walk_run="$work/walkthrough-run"
set +e
env -u DIFFUSIONCORE_NATIVE dotnet "$work/walkthrough-train/bin/Release/net10.0/WalkthroughTrain.dll" "$work/run/shapes" "$walk_run" 8 64 2>&1 | sed 's/^/  /'
status=${PIPESTATUS[0]}
[[ $status -eq 0 ]] || fail "the walkthrough's training program exited with $status"
env -u DIFFUSIONCORE_NATIVE dotnet "$work/walkthrough-generate/bin/Release/net10.0/WalkthroughGenerate.dll" "$walk_run/model-ema-0.100.safetensors" "$work/grid.png" 2>&1 | sed 's/^/  /'
status=${PIPESTATUS[0]}
set -e
[[ $status -eq 0 ]] || fail "the walkthrough's generation program exited with $status"
[[ -f "$work/grid.png" ]] || fail "the walkthrough wrote no grid.png"
# PNG IHDR: width and height are big-endian 32-bit at bytes 16..23. 2 classes x 4 seeds of 8x8, 2 px padding: 22 x 42.
read -r w0 w1 w2 w3 h0 h1 h2 h3 < <(od -An -tu1 -j16 -N8 "$work/grid.png")
width=$(( (w0 << 24) | (w1 << 16) | (w2 << 8) | w3 )); height=$(( (h0 << 24) | (h1 << 16) | (h2 << 8) | h3 ))
[[ $width -eq 22 && $height -eq 42 ]] || fail "the walkthrough's grid is ${width}x${height}, not 22x42"
echo "package-smoke: walkthrough trained, exported, reloaded in another process and wrote a ${width}x${height} grid"
echo "package-smoke: OK ($((SECONDS - start)) s)"
