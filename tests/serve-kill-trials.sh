#!/usr/bin/env bash
# Trials of issue 15, item 8: three `impact serve` workers share one inbox, one of them is
# SIGKILLed mid-run, and afterwards every input must have exactly one complete run folder and the
# outbox no partial folder. A script rather than a test so the everyday suite stays fast: a trial
# waits out a lease, and 20 trials take minutes.
#
#   tests/serve-kill-trials.sh [TRIALS]      (default 20; builds src/ImpactModel.Worker in Release)
#
# The kill lands in a different phase by turns, since a random moment mostly hits the simulation:
#   run      - a random moment after the victim logs "started" (usually while it simulates);
#   partial  - as soon as the victim's own DIR.partial-… folder appears (it is writing the folder);
#   complete - as soon as a complete run folder appears whose file is still in claimed/ (the
#              victim renamed it and has not yet moved its file to done/; best effort: the window
#              is short, and the test with a hand-made crash state covers it exactly).
# Prints one line per trial and the counts at the end; exits 1 if any trial broke the contract.
set -uo pipefail
cd "$(dirname "$0")/.."

trials=${1:-20}
files=6
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet build src/ImpactModel.Worker -c Release -v quiet -nologo >/dev/null || { echo "build failed" >&2; exit 1; }
dll=$(pwd)/src/ImpactModel.Worker/bin/Release/net10.0/impact.dll
[ -f "$dll" ] || { echo "no $dll" >&2; exit 1; }

pids=()
cleanup() {
  # Every worker this script started, by its id: none outlives the script.
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
}
trap cleanup EXIT

declare -A outcome
bad=0
for ((t = 1; t <= trials; t++)); do
  root=$(mktemp -d /tmp/impact-serve-trial-XXXXXX)
  mkdir -p "$root/inbox"
  cp scenarios/uk-population.yaml "$root/inbox/"
  cp -r scenarios/data "$root/inbox/"
  pids=()
  for w in 0 1 2; do
    (cd "$root" && exec dotnet "$dll" serve --inbox inbox --outbox outbox --population 100000 --replicates 4 \
      --set Serve:LeaseSeconds=2 --set Serve:ScanSeconds=0.2 --set Serve:SettleSeconds=0.1 \
      >"$root/worker$w.out" 2>"$root/worker$w.log") &
    pids+=($!)
  done
  for w in 0 1 2; do
    for _ in $(seq 600); do grep -q "serve: worker" "$root/worker$w.log" 2>/dev/null && break; sleep 0.1; done
  done

  for ((i = 0; i < files; i++)); do
    cp scenarios/fraud-error-debt.yaml "$root/s$i.yaml.tmp"
    mv "$root/s$i.yaml.tmp" "$root/inbox/s$i.yaml"
  done

  modes=(run partial complete)
  mode=${modes[$(((t - 1) % 3))]}
  victim=$((RANDOM % 3))
  vpid=${pids[$victim]}
  deadline=$((SECONDS + 120))
  case $mode in
    run)
      until grep -q ": started" "$root/worker$victim.log" 2>/dev/null || ((SECONDS > deadline)); do sleep 0.05; done
      sleep "0.$((RANDOM % 10))"
      ;;
    partial)
      until compgen -G "$root/outbox/*.partial-*-$vpid-*" >/dev/null || ((SECONDS > deadline)); do :; done
      ;;
    complete)
      # A claimed file whose recorded run folder is complete: the victim is between rename and done/.
      # Gives up (and kills the victim anyway) once every file is done.
      found=
      until [ -n "$found" ] || ((SECONDS > deadline)) || [ "$(find "$root/inbox/done" -name '*.yaml' | wc -l)" -eq "$files" ]; do
        for rec in "$root"/inbox/claimed/*.yaml.claim; do
          [ -f "$rec" ] || continue
          dir=$(head -n1 "$rec" 2>/dev/null)
          if [ -n "$dir" ] && [ -d "$root/outbox/$dir" ] && [ -f "${rec%.claim}" ]; then found=$dir; break; fi
        done
      done
      ;;
  esac
  kill -KILL "$vpid"
  wait "$vpid" 2>/dev/null

  # Every file done and nothing left claimed (the lease is 2 s; a loaded machine is slow).
  ok=0
  for _ in $(seq 1200); do
    n=$(find "$root/inbox/done" -name '*.yaml' 2>/dev/null | wc -l)
    c=$(find "$root/inbox/claimed" -type f 2>/dev/null | wc -l)
    p=$(find "$root/outbox" -maxdepth 1 -name '*.partial-*' 2>/dev/null | wc -l)
    if [ "$n" -eq "$files" ] && [ "$c" -eq 0 ] && [ "$p" -eq 0 ]; then ok=1; break; fi
    sleep 0.1
  done

  problems=()
  ((ok)) || problems+=("not settled: done=$n claimed=$c partial=$p")
  for ((i = 0; i < files; i++)); do
    folders=$(find "$root/outbox" -maxdepth 1 -mindepth 1 -type d -name "s$i-*" ! -name '*.partial-*' | wc -l)
    [ "$folders" -eq 1 ] || problems+=("s$i.yaml has $folders run folders")
    for f in "$root"/outbox/s$i-*; do
      [[ $f == *.partial-* ]] && continue
      [ -f "$f/manifest.json" ] && [ -f "$f/results.csv" ] || problems+=("$(basename "$f") incomplete")
    done
  done
  partials=$(find "$root/outbox" -maxdepth 1 -name '*.partial-*' | wc -l)
  [ "$partials" -eq 0 ] || problems+=("$partials partial folders")
  failed=$(find "$root/inbox/failed" -type f | wc -l)
  [ "$failed" -eq 0 ] || problems+=("$failed files in failed/")

  # What the kill left, as the survivors saw it.
  logs=("$root"/worker*.log)
  if grep -q "after its run folder was complete" "${logs[@]}"; then left="complete-folder-moved-to-done"
  elif grep -q "removed the abandoned partial folder" "${logs[@]}"; then left="partial-removed-and-rerun"
  elif grep -q "ran out (its worker stopped); returned" "${logs[@]}"; then left="claim-returned-and-rerun"
  else left="nothing-claimed"; fi

  for w in 0 1 2; do [ "$w" -eq "$victim" ] || kill -TERM "${pids[$w]}" 2>/dev/null; done
  for w in 0 1 2; do wait "${pids[$w]}" 2>/dev/null; done

  if [ ${#problems[@]} -eq 0 ]; then
    result=ok
    rm -rf "$root"
  else
    result="FAIL (${problems[*]}; kept $root)"
    bad=$((bad + 1))
  fi
  key="$mode/$left/${result%% *}"
  outcome[$key]=$((${outcome[$key]:-0} + 1))
  echo "trial $t: kill during $mode; left $left; $result"
done

echo "outcomes over $trials trials (kill phase / what it left / verdict):"
for k in "${!outcome[@]}"; do echo "  ${outcome[$k]}  $k"; done | sort -k2
echo "trials that broke the contract: $bad"
[ "$bad" -eq 0 ]
