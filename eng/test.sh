#!/usr/bin/env bash
# Runs every test of the solution (Release), after installing missing system packages, then the NuGet package smoke
# test (eng/package-smoke.sh: pack, build a fresh console app against the packages, train and sample; set
# DIFFUSIONCORE_SKIP_PACKAGE_SMOKE=1 to skip it). Prints a closing line "Tests: N passed, N failed, N skipped" summed over
# all test assemblies, the package smoke test counting as one test. Exits non-zero if either fails.
set -euo pipefail
cd "$(dirname "$0")/.."
eng/ensure-deps.sh

results="$(pwd)/artifacts/test-results"
rm -rf "$results"
set +e
dotnet test DiffusionCore.sln -c Release --logger "trx" --results-directory "$results" "$@"
status=$?
set -e

passed=0; failed=0; skipped=0
shopt -s nullglob
for f in "$results"/*.trx; do
  counters=$(grep -o '<Counters [^>]*>' "$f" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); passed=$((passed + ${p:-0}))
  x=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters"); failed=$((failed + ${x:-0}))
  t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters")
  e=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters"); skipped=$((skipped + ${t:-0} - ${e:-0}))
done
if [[ $status -eq 0 && $passed -eq 0 ]]; then
  echo "Tests: 0 passed, ${failed} failed, ${skipped} skipped"
  echo "No test ran." >&2
  exit 1
fi

if [[ "${DIFFUSIONCORE_SKIP_PACKAGE_SMOKE:-0}" != "1" ]]; then
  echo "Package smoke test (eng/package-smoke.sh):"
  if eng/package-smoke.sh; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    [[ $status -ne 0 ]] || status=1
  fi
fi

echo "Tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
exit $status
