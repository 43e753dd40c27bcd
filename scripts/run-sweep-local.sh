#!/usr/bin/env bash
# Runs a sweep's tasks one after another on this machine (no Slurm), into a sweep directory named as
# on Slurm (docs/slurm.md): results/<sweep name>-<id>/task-NNN/, with the sweep's own copy sweep.sweep.
#
#   scripts/run-sweep-local.sh SWEEP_FILE [SWEEP_DIR] [key=value ...]   a new sweep (id: the date-time), or into SWEEP_DIR
#   scripts/run-sweep-local.sh SWEEP_DIR [key=value ...]                re-run the tasks of SWEEP_DIR that did not finish
#
# Only tasks that did not finish run: a complete or diverged task is skipped, a stopped one resumes
# from its checkpoint, a failed, missing or killed one starts again. key=value filters keep only the
# tasks whose train arguments hold them (e.g. seed=1). DETRAIN_RESULTS (default results) is where
# new sweep directories go. At the end the sweep is collected (summary.csv, summary.h5); the exit
# code is 0 when every task this call ran finished (complete or diverged), 3 otherwise.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
detrain="$root/bin/detrain"
(( $# >= 1 )) || { sed -n '2,14p' "${BASH_SOURCE[0]}" >&2; exit 2; }
first=$1; shift
if [[ -d $first ]]; then
  dir=$("$detrain" sweep init "$first/sweep.sweep" --dir "$first")   # refuses a directory that is not a sweep's
elif [[ $# -ge 1 && $1 != *=* ]]; then
  dir=$("$detrain" sweep init "$first" --dir "$1"); shift
else
  dir=$("$detrain" sweep init "$first")
fi
filters=("$@")
sweep=$dir/sweep.sweep
ranks=$("$detrain" sweep ranks "$sweep")
IFS=, read -r -a todo <<<"$("$detrain" sweep unfinished "$dir")"
echo "sweep $dir: ${#todo[@]} task(s) to run of $("$detrain" sweep count "$sweep")"
failed=0
for i in "${todo[@]}"; do
  mapfile -t args < <("$detrain" sweep args "$sweep" "$i")
  keep=1
  for f in "${filters[@]}"; do
    printf '%s\n' "${args[@]}" | grep -qx -- "$f" || keep=0
  done
  (( keep )) || continue
  id=$(printf 'task-%03d' "$i")   # RunLayout.taskRunId
  echo "$id: ${args[*]}"
  rc=0
  "$detrain" train -np "$ranks" --results "$dir" --run-id "$id" --resume-if-possible "${args[@]}" 2>&1 \
    | grep -E "^(done|  averaged|detrain:)" || rc=$?
  if (( rc != 0 )); then
    state=$("$detrain" sweep collect "$dir" 2>/dev/null | awk -v id="$id" '$1 == id { print $2 }' || true)
    if [[ -d $dir/$id ]]; then
      echo "$id: ${state:-did not finish} (see $dir/$id/log)"
    else
      echo "$id: refused before it started (exit $rc: the message above; nothing was written)"
    fi
    [[ $state == diverged ]] || failed=$((failed + 1))
  fi
done
"$detrain" sweep collect "$dir" | tail -n 2 || true
(( failed == 0 )) || exit 3
