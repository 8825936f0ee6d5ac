#!/bin/bash
# Submits a run as Slurm arrays, one per phase, each starting only after the previous phase succeeded,
# then the merge (docs/deployment.md):
#   bash deploy/slurm/submit.sh SCENARIO N SHARDS DIR [impact run options: --seed, --replicates, --population]
# e.g.  bash deploy/slurm/submit.sh scenarios/fraud-error-debt.yaml 16 /shared/shards/fraud-seed1 /shared/runs/fraud-seed1 \
#         --seed 1 --replicates 16 --population 67000000
# SHARDS and DIR must be on a file system every node can write. The number of phases is the
# scenario's (1 for most; 2 when its strand passes over the persons twice): PHASES=2 to override.
set -euo pipefail
scenario=$1 shards=$2 folder=$3 dir=$4
shift 4
here=$(cd "$(dirname "$0")" && pwd)
impact=${IMPACT:-dotnet /opt/impact/impact.dll}
if [ -z "${PHASES:-}" ]; then
  # `impact run … --shard 1/N` without --phase names the phases when there are several.
  PHASES=$($impact run "$scenario" --shard "1/$shards" --out "$folder" --phase 9 "$@" 2>&1 | grep -oE 'runs in [0-9]+ phase' | grep -oE '[0-9]+' || echo 1)
fi
after=""
for phase in $(seq 1 "$PHASES"); do
  job=$(sbatch --parsable ${after:+--dependency=afterok:$after} --array="1-$shards" \
    --export=ALL,IMPACT="$impact" "$here/shard.sbatch" "$scenario" "$shards" "$phase" "$folder" "$@")
  echo "phase $phase of $PHASES: array job $job (shards 1-$shards)"
  after=$job
done
merge=$(sbatch --parsable --dependency=afterok:"$after" --job-name=impact-merge --cpus-per-task=2 --mem=1G \
  --wrap="$impact merge '$folder' --out '$dir'")
echo "merge: job $merge -> $dir"
