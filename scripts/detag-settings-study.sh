#!/usr/bin/env bash
# DeTAG's phase length and step scaling on Fashion-MNIST softmax (docs/results/detag-settings.md):
# 16 ranks, ring, Metropolis weights, lr 0.1, batch 32, one epoch, IID (X = 100) and sorted (X = 0)
# shards; DSGT, and DeTAG with R = 1, 2, 3, 4, 6, 8 (eta = auto) at lr 0.1 and at lr 0.1·R.
#   scripts/detag-settings-study.sh [RESULTS_DIR]      (finished runs are skipped; ~15 min on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-results/detag-settings}"
mkdir -p "$out"
run() {
  local id="$1"; shift
  [[ -f "$out/$id/metrics.h5" ]] && return 0
  bin/detrain train --results "$out" --run-id "$id" --config jobs/quickstart.properties -np 16 --set eval.local=false \
    --set save.models=false "$@" > "$out/$id.log" 2>&1 || echo "$id: exit $? (see $out/$id.log)"
}
for X in 100 0; do
  run "X$X-dsgt" --set partition.shuffled=$X --set algorithm=dsgt
  for R in 1 2 3 4 6 8; do  # lr·R for R = 1 is the plain run
    run "X$X-detag-R$R" --set partition.shuffled=$X --set algorithm=detag --set detag.R=$R
    [[ $R == 1 ]] && continue
    run "X$X-detag-R$R-lrR" --set partition.shuffled=$X --set algorithm=detag --set detag.R=$R \
      --set lr="$(awk "BEGIN{print 0.1*$R}")"
  done
done
/usr/bin/python3 - "$out" <<'PY'
import glob, os, sys
import h5py, numpy as np
rows = []
for f in sorted(glob.glob(os.path.join(sys.argv[1], "*", "metrics.h5"))):
    with h5py.File(f, "r") as h:
        m = h["metrics"]
        a = h["algorithm"].attrs
        loss = float(np.mean(m["train_loss"][-1]))
        rows.append((os.path.basename(os.path.dirname(f)), loss, float(m["consensus_distance"][-1]),
                     float(m["test_accuracy"][-1]), a.get("R", ""), a.get("eta", ""), h["config"].attrs["lr"]))
print("| run | R | η | lr | training loss (last record, mean over ranks) | consensus distance | test accuracy |")
print("|---|---|---|---|---|---|---|")
for r in rows:
    R = "" if r[4] == "" else int(r[4])
    eta = "" if r[5] == "" else f"{float(r[5]):.3f}"
    lr = r[6].decode() if isinstance(r[6], bytes) else r[6]
    print(f"| {r[0]} | {R} | {eta} | {lr} | {r[1]:.3f} | {r[2]:.3g} | {r[3]:.4f} |")
PY
