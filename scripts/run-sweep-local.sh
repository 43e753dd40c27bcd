#!/usr/bin/env bash
# Runs a sweep's tasks one after another on this machine (no Slurm), e.g. to reproduce the studies:
#   scripts/run-sweep-local.sh jobs/sweeps/heterogeneity.sweep results/studies/heterogeneity seed=1
# Arguments after the output directory keep only the tasks whose config has those key=value pairs.
# A task whose run directory already holds a complete metrics.h5 is skipped, so the script resumes.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sweep=$1; out=$2; shift 2
filters=("$@")
count=$("$root/bin/detrain" sweep count "$sweep")
ranks=$("$root/bin/detrain" sweep ranks "$sweep")
mkdir -p "$out"
for ((i = 0; i < count; i++)); do
  mapfile -t args < <("$root/bin/detrain" sweep args "$sweep" "$i")
  keep=1
  for f in "${filters[@]}"; do
    printf '%s\n' "${args[@]}" | grep -qx -- "$f" || keep=0
  done
  (( keep )) || continue
  id=task-$(printf '%03d' "$i")
  if [[ -f $out/$id/metrics.h5 ]] && grep -q complete <("$root/bin/detrain" config --keys >/dev/null; \
        /usr/bin/python3 -c "import h5py,sys; print(h5py.File(sys.argv[1],'r').attrs['status'].decode())" "$out/$id/metrics.h5" 2>/dev/null); then
    echo "$id: done already"; continue
  fi
  echo "$id: ${args[*]}"
  "$root/bin/detrain" train -np "$ranks" --results "$out" --run-id "$id" --overwrite "${args[@]}" \
    | grep -E "^(done|  averaged|detrain:)" || echo "$id failed (see $out/$id/log)"
done
