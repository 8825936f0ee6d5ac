#!/usr/bin/env bash
# Whole-process times of the figures issue 26 sets, median of five (and the five), on this machine:
#   bash bench/profile/whole-process.sh [IMPACT|native|portable]
# IMPACT: the executable to time; native (the default): publish the native build to /tmp/impact-native
# (dotnet publish -p:ImpactNative=true); portable: publish the portable build to /tmp/impact-publish.
# Each run writes a fresh run folder under a temporary directory, removed at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
impact=${1:-native}
if [[ "$impact" == native ]]; then
  dotnet publish src/ImpactModel.Worker -c Release -p:ImpactNative=true -o /tmp/impact-native >/dev/null
  impact=/tmp/impact-native/impact
elif [[ "$impact" == portable ]]; then
  dotnet publish src/ImpactModel.Worker -c Release -o /tmp/impact-publish >/dev/null
  impact=/tmp/impact-publish/impact
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
runs=${RUNS:-5}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
measure() {
  local label=$1; shift
  local times=()
  for ((i = 0; i < runs; i++)); do
    local t0 t1
    t0=$(date +%s.%N)
    "$@" >/dev/null 2>"$work/stderr" || { cat "$work/stderr"; exit 1; }
    t1=$(date +%s.%N)
    times+=("$(echo "$t1 - $t0" | bc -l | xargs printf '%.2f')")
    rm -rf "$work/out"
  done
  printf '%-62s median %5s s  (%s)\n' "$label" "$(printf '%s\n' "${times[@]}" | median)" "${times[*]}"
}
measure "validate scenarios/fraud-error-debt.yaml" "$impact" validate scenarios/fraud-error-debt.yaml
measure "describe scenarios/fraud-error-debt.yaml --population 67000000" "$impact" describe scenarios/fraud-error-debt.yaml --population 67000000
for s in fraud-error-debt tailored-services; do
  measure "run scenarios/$s.yaml --population 67000000 --replicates 1" "$impact" run "scenarios/$s.yaml" --population 67000000 --replicates 1 --out "$work/out"
done
measure "run scenarios/research-statistics.yaml --replicates 1 (declared)" "$impact" run scenarios/research-statistics.yaml --replicates 1 --out "$work/out"
