#!/usr/bin/env bash
# Results byte-identical before and after a change (issue 26): every shipped scenario and the shipped
# package at their defaults, and fraud and tailored services at 67 M persons × 1 replicate, with 1 and
# 2 threads; each results.csv (and package.csv) compared with cmp.
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
      "$bin" run "$file" $extra --threads "$threads" --out "$work/$side-$name-$threads" >/dev/null 2>&1
    done
    while IFS= read -r f; do
      rel=${f#"$work/before-$name-$threads/"}
      if cmp -s "$f" "$work/after-$name-$threads/$rel"; then
        echo "identical  $name threads=$threads $rel"
      else
        echo "DIFFERENT  $name threads=$threads $rel"; failed=1
      fi
    done < <(find "$work/before-$name-$threads" -name results.csv -o -name package.csv | sort)
    rm -rf "$work/before-$name-$threads" "$work/after-$name-$threads"
  done
done
exit $failed
