#!/usr/bin/env bash
# Results byte-identical before and after a change (issue 26): the fraud and tailored-services
# scenarios at their defaults and at 67 M persons × 1 replicate, the research scenario at 2 M × 4 and
# the shipped package at 1 M × 3 (their defaults take minutes), each with 1 and 2 threads; every
# results.csv and package.csv of either side compared with cmp (one missing on a side is a difference).
#   bash bench/profile/identical.sh BEFORE-IMPACT AFTER-IMPACT
set -euo pipefail
cd "$(dirname "$0")/../.."
before=$1 after=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cases=(
  "fraud-error-debt|scenarios/fraud-error-debt.yaml|"
  "tailored-services|scenarios/tailored-services.yaml|"
  "research-statistics|scenarios/research-statistics.yaml|--population 2000000 --replicates 4"
  "package|scenarios/uk-data-sharing-package.yaml|--population 1000000 --replicates 3"
  "fraud-uk|scenarios/fraud-error-debt.yaml|--population 67000000 --replicates 1"
  "tailored-uk|scenarios/tailored-services.yaml|--population 67000000 --replicates 1"
)
failed=0
for c in "${cases[@]}"; do
  IFS='|' read -r name file extra <<<"$c"
  for threads in 1 2; do
    for side in before after; do
      bin=$before; [[ $side == after ]] && bin=$after
      # shellcheck disable=SC2086
      if ! "$bin" run "$file" $extra --threads "$threads" --out "$work/$side-$name-$threads" >/dev/null 2>"$work/stderr"; then
        echo "FAILED     $name threads=$threads ($side): $(tail -1 "$work/stderr")"; exit 1
      fi
    done
    while IFS= read -r rel; do
      if cmp -s "$work/before-$name-$threads/$rel" "$work/after-$name-$threads/$rel"; then
        echo "identical  $name threads=$threads $rel"
      else
        echo "DIFFERENT  $name threads=$threads $rel"; failed=1
      fi
    done < <(cd "$work" && find "before-$name-$threads" "after-$name-$threads" -name results.csv -o -name package.csv \
               | sed -E 's|^[a-z]+-[^/]+/||' | sort -u)
    rm -rf "$work/before-$name-$threads" "$work/after-$name-$threads"
  done
done
exit $failed
