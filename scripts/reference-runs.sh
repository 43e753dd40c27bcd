#!/usr/bin/env bash
# A fixed set of short runs — every algorithm, both MPJ devices, each model — into one results
# directory, so that two builds can be compared value for value:
#   scripts/reference-runs.sh /tmp/before        # on the old build
#   scripts/reference-runs.sh /tmp/after         # on the new build
#   scripts/compare-runs.py /tmp/before /tmp/after
# Takes about two minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:?usage: scripts/reference-runs.sh RESULTS_DIR}"
mkdir -p "$out"
base=(--results "$out" --set iterations=60 --set eval.every=30
      --set log.every=10 --set checkpoint.every=0)
run() {
  local id="$1"; shift
  if [[ -f "$out/$id/metrics.h5" ]]; then return; fi
  echo "== $id"
  bin/detrain train --run-id "$id" --config jobs/quickstart.properties "${base[@]}" "$@" | tail -2
}
for algo in dpsgd d2 dsgt sgp detag defacto allreduce; do
  extra=()
  [[ $algo == d2 ]] && extra=(--set weights=lazy)
  [[ $algo == detag ]] && extra=(--set detag.R=4)
  run "mc-$algo" -np 4 --set algorithm=$algo --set partition.shuffled=25 "${extra[@]}"
  run "nio-$algo" -np 4 --transport niodev --set algorithm=$algo --set partition.shuffled=25 "${extra[@]}"
done
run mc-torus-mlp -np 6 --set topology=torus --set model=mlp --set model.hidden=32
run mc-lenet -np 2 --set model=lenet --set iterations=20 --set eval.every=20
run mc-hlsq-detag -np 8 --set dataset=synthetic-hlsq --set partition=auto --set model=linear --set gradient.exact=true \
    --set algorithm=detag --set detag.R=2 --set detag.eta=0.3 --set weights=lazy --set lr=0.05 --set iterations=200 \
    --set eval.every=50
run mc-logreg-dpsgd-ag -np 5 --set dataset=synthetic-logreg --set partition=auto --set model=logistic --set gossip.rounds=3 \
    --set gossip.eta=auto --set momentum=0.5 --set weight.decay=0.001 --set lr=0.05
run mc-sgp-star -np 5 --set algorithm=sgp --set sgp.graph=topology --set topology=star --set partition.shuffled=0
