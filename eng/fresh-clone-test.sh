#!/usr/bin/env bash
# Proves that the repository is complete in itself: clones the committed HEAD into an empty temporary folder (the
# clone has no sibling folders, so nothing can be read from next to the repository), then runs the README's test
# command (./eng/test.sh) there, as a new user would. Uncommitted changes are not part of the test; the script says so.
#
# Usage: eng/fresh-clone-test.sh [--keep] [--reuse-cache] [-- args passed on to eng/test.sh and dotnet test]
#   --keep         keep the temporary folder afterwards (it is kept anyway when the tests fail)
#   --reuse-cache  use the evaluation classifier already cached under ~/.cache/diffusioncore instead of a fresh,
#                  empty cache (a fresh cache, as on a new machine, trains the classifier once: 1-3 minutes)
# Environment: TMPDIR picks where the temporary folder goes; LIBTORCH and DIFFUSIONCORE_* pass through to the run.
# Ends with eng/test.sh's line "Tests: N passed, N failed, N skipped" and its exit status.
set -euo pipefail

keep=0
reuse_cache=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --keep) keep=1; shift ;;
    --reuse-cache) reuse_cache=1; shift ;;
    --) shift; break ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "Unknown option '$1' (see --help; arguments for eng/test.sh go after --)." >&2; exit 2 ;;
  esac
done

source_repo="$(cd "$(dirname "$0")/.." && pwd)"
head="$(git -C "$source_repo" rev-parse HEAD)"
if [[ -n "$(git -C "$source_repo" status --porcelain)" ]]; then
  echo "Note: $source_repo has uncommitted changes; they are not tested (the clone holds commit $head only)." >&2
fi

workdir="$(mktemp -d "${TMPDIR:-/tmp}/diffusioncore-fresh-clone.XXXXXX")"
clone="$workdir/diffusioncore"
echo "Cloning $head into $clone"
git clone --quiet --no-checkout --no-hardlinks "$source_repo" "$clone"
git -C "$clone" checkout --quiet --detach "$head"

if [[ $reuse_cache -eq 0 ]]; then
  export XDG_CACHE_HOME="$workdir/cache"
fi

echo "Running ./eng/test.sh $* in $clone"
set +e
(cd "$clone" && ./eng/test.sh "$@")
status=$?
set -e

if [[ $status -eq 0 && $keep -eq 0 ]]; then
  rm -rf "$workdir"
else
  echo "The clone is kept at $clone."
fi
exit $status
