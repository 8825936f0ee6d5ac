#!/usr/bin/env bash
# How a run's time grows with persons, replicates and threads (issue 26): the simulation's own seconds
# (the manifest's elapsed_seconds) and the whole process, for one scenario.
#   bash bench/profile/scaling.sh IMPACT [SCENARIO]   (default scenarios/fraud-error-debt.yaml)
set -euo pipefail
cd "$(dirname "$0")/../.."
impact=$1 scenario=${2:-scenarios/fraud-error-debt.yaml}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
row() {
  local label=$1; shift
  local t0 t1
  t0=$(date +%s.%N)
  "$impact" run "$scenario" --out "$work/out" "$@" >/dev/null 2>&1
  t1=$(date +%s.%N)
  local elapsed
  elapsed=$(grep -o '"elapsed_seconds": *[0-9.]*' "$work/out/manifest.json" | grep -o '[0-9.]*$')
  printf '%-34s run %6.2f s  whole process %6.2f s\n' "$label" "$elapsed" "$(echo "$t1 - $t0" | bc -l)"
  rm -rf "$work/out"
}
for k in 1 4 16; do row "persons $((4187500 * k)) x 1 replicate" --population $((4187500 * k)) --replicates 1; done
for k in 1 4 16; do row "persons 4187500 x $k replicates" --population 4187500 --replicates "$k"; done
for t in 1 2; do row "67000000 persons, $t thread(s)" --population 67000000 --replicates 1 --threads "$t"; done
