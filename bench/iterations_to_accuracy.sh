#!/usr/bin/env bash
# Iterations each algorithm needs to reach ||x̄ − x*||/||x*|| < TARGET on heterogeneous least squares
# (exact gradients, constant step), on a 16-rank lazy ring with κ-slack weights — the empirical side of
# the complexity table in docs/algorithms.md. Prints a Markdown table.
#   bench/iterations_to_accuracy.sh [TARGET] [MAX_ITERATIONS]
# Environment: ALGORITHMS="dsgt detag", KAPPAS="1 0.1", DETAG_R=2 (DeTAG's phase length).
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:-1e-3}
max=${2:-20000}
out=${OUT:-results/iterations-to-accuracy}
python=${DETRAIN_PYTHON:-/usr/bin/python3}
mkdir -p "$out"
read -r -a algorithms <<< "${ALGORITHMS:-dpsgd d2 dsgt sgp detag defacto allreduce}"
read -r -a kappas <<< "${KAPPAS:-1 0.1 0.01}"
printf '| algorithm |'; for k in "${kappas[@]}"; do printf ' κ = %s |' "$k"; done; echo
printf '|---|'; for k in "${kappas[@]}"; do printf -- '---|'; done; echo
for a in "${algorithms[@]}"; do
  printf '| %s |' "$a"
  for k in "${kappas[@]}"; do
    id="$a-k$k${DETAG_R:+-R$DETAG_R}"
    extra=(--set algorithm="$a")
    [[ $a == detag ]] && extra+=(--set detag.R="${DETAG_R:-2}" --set detag.eta=auto)
    [[ $a == sgp ]] && extra+=(--set sgp.graph=topology)
    bin/detrain train -np 16 --results "$out" --run-id "$id" --overwrite \
      --set dataset=synthetic-hlsq --set model=linear --set gradient.exact=true --set synthetic.samples=64 \
      --set synthetic.features=16 --set synthetic.heterogeneity=1 --set lr=0.05 --set topology=ring \
      --set weights=lazy --set weights.kappa="$k" --set iterations="$max" --set log.every=10 \
      --set eval.every="$max" --set eval.local=false --set save.models=false "${extra[@]}" >/dev/null 2>"$out/$id.err" \
      || { printf ' failed |'; continue; }
    "$python" - "$out/$id/metrics.h5" "$target" <<'PY'
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f:
    it = f["metrics/iteration"][()]
    d = f["metrics/optimum_distance"][()]
    hit = np.nonzero(d < float(sys.argv[2]))[0]
    print(" %d |" % it[hit[0]] if len(hit) else " > %d (%.1e) |" % (it[-1], d[-1]), end="")
PY
  done
  echo
done
