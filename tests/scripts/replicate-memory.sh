#!/usr/bin/env bash
# Peak memory of a run with many replicates (issue 15, item 7): by default 10,000 replicates of
# 10,000 persons of the shipped fraud scenario must finish under 500 MB of peak resident memory.
# Too slow for the everyday suite (about 5 min on a quiet 2-core machine, 17 min on a loaded one),
# so it is a script: bash tests/scripts/replicate-memory.sh [REPLICATES] [PERSONS] [extra run options]
# Writes the run folder in a temporary directory (about 7.5 GB with replicates.csv; pass
# --no-replicates-csv to keep 0.7 GB of replicates.bin instead) and removes it.
set -euo pipefail
cd "$(dirname "$0")/../.."
replicates=${1:-10000}
persons=${2:-10000}
shift $(( $# > 2 ? 2 : $# ))
limit_kb=$((500 * 1024))
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (Debian package 'time')" >&2; exit 1; }
dotnet build src/ImpactModel.Worker -c Release -nologo -v quiet >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
/usr/bin/time -f '%M %e' -o "$out/time" \
  dotnet src/ImpactModel.Worker/bin/Release/net10.0/impact.dll run scenarios/fraud-error-debt.yaml \
  --population "$persons" --replicates "$replicates" --out "$out/run" "$@" >/dev/null 2>"$out/stderr"
read -r peak_kb seconds < "$out/time"
echo "replicates $replicates, persons $persons: peak RSS $((peak_kb / 1024)) MB, $seconds s wall"
if [ "$peak_kb" -ge "$limit_kb" ]; then
  echo "FAIL: peak RSS above 500 MB" >&2
  exit 1
fi
echo "ok: under 500 MB"
