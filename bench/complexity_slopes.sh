#!/usr/bin/env bash
# How iterations to a fixed accuracy grow as the spectral gap shrinks (issue 13, item 6; the empirical
# side of docs/algorithms.md's complexity table): heterogeneous least squares split by rank (exact
# gradients, constant step 0.05), a 16-rank lazy ring slowed by kappa (1 - lambda from 3.8e-2 down to
# 3.8e-4), iterations until ||x_bar - x*||/||x*|| < TARGET, for each algorithm; then the log-log slope
# of iterations against 1/(1 - lambda), next to the theory's exponents (upper bounds: 1/2 for DeTAG,
# 2 for D-PSGD, 3 for D2 and DSGT). DeTAG runs with detag.R=auto (this W: R = 1), with R = theory
# (Corollary 6, capped at 16) and with the uncapped theory R.
#   bench/complexity_slopes.sh [TARGET] [MAX_ITERATIONS]      (results/complexity-slopes; OUT= to move it)
# KAPPAS="1 0.1 0.01" and VARIANTS="dsgt detag-auto" choose a subset. Every run goes on to MAX_ITERATIONS
# (16 ranks on 2 cores: about 2.5 ms an iteration), so the whole default grid takes 1-2 hours.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:-1e-3}
max=${2:-60000}
out=${OUT:-results/complexity-slopes}
mkdir -p "$out"
read -r -a kappas <<<"${KAPPAS:-1 0.5 0.2 0.1 0.05 0.02 0.01}"
read -r -a variants <<<"${VARIANTS:-dsgt d2 dpsgd detag-auto detag-theory detag-uncapped}"
for v in "${variants[@]}"; do
  for k in "${kappas[@]}"; do
    id="$v-k$k"
    [[ -f $out/$id/metrics.h5 ]] && continue
    extra=()
    case $v in
      detag-auto) extra=(--set algorithm=detag) ;;
      detag-theory) extra=(--set algorithm=detag --set detag.R=theory) ;;
      detag-uncapped)
        r=$(bin/detrain theory --topology ring --n 16 --weights lazy --kappa "$k" | sed -n 's/.*R = ½·ln n \/ √(1 − λ) *[0-9.e+-]* → \([0-9]*\) rounds.*/\1/p')
        extra=(--set algorithm=detag --set detag.R="$r") ;;
      *) extra=(--set algorithm="$v") ;;
    esac
    bin/detrain train -np 16 --results "$out" --run-id "$id" \
      --set dataset=synthetic-hlsq --set partition=auto --set model=linear --set gradient.exact=true \
      --set synthetic.samples=64 --set synthetic.features=16 --set synthetic.heterogeneity=1 --set lr=0.05 \
      --set topology=ring --set weights=lazy --set weights.kappa="$k" --set iterations="$max" --set log.every=10 \
      --set eval.every="$max" --set eval.local=false --set save.models=false "${extra[@]}" >/dev/null 2>"$out/$id.err" \
      || echo "$id failed: $(tail -1 "$out/$id.err")" >&2
  done
done
/usr/bin/python3 - "$out" "$target" "${kappas[*]}" "${variants[*]}" <<'PY'
import math, os, sys
import h5py, numpy as np
out, target = sys.argv[1], float(sys.argv[2])
kappas, variants = sys.argv[3].split(), sys.argv[4].split()
theory = {"dsgt": 3, "d2": 3, "dpsgd": 2}
print("iterations until ||x_bar - x*||/||x*|| < %g (16-rank lazy ring, kappa-slack; '>' = not reached)\n" % target)
print("| 1 − λ | " + " | ".join(variants) + " |")
print("|---|" + "---|" * len(variants))
rows, gaps = {}, []
for k in kappas:
    cells, gap = [], None
    for v in variants:
        f = os.path.join(out, "%s-k%s" % (v, k), "metrics.h5")
        if not os.path.exists(f):
            cells.append("failed"); continue
        with h5py.File(f, "r") as h:
            gap = float(h["topology"].attrs["spectral_gap"])
            it, d = h["metrics/iteration"][()], h["metrics/optimum_distance"][()]
            R = h["algorithm"].attrs.get("R")
        hit = np.nonzero(d < target)[0]
        n = int(it[hit[0]]) if len(hit) else None
        rows.setdefault(v, []).append((gap, n))
        cells.append((str(n) if n else "> %d" % it[-1]) + (" (R=%d)" % R if R is not None else ""))
    gaps.append(gap)
    print("| %.2g | %s |" % (gap, " | ".join(cells)))
print("\nlog-log slope of iterations against 1/(1 − λ), over the points that reached the target:\n")
print("| variant | slope | points | theory's exponent (upper bound) |")
print("|---|---|---|---|")
for v in variants:
    pts = [(1 / g, n) for g, n in rows.get(v, []) if n]
    if len(pts) >= 2:
        x = np.log([p[0] for p in pts]); y = np.log([p[1] for p in pts])
        slope = np.polyfit(x, y, 1)[0]
        s = "%.2f" % slope
    else:
        s = "n/a"
    t = theory.get(v, 0.5 if v.startswith("detag") else None)
    print("| %s | %s | %d | %s |" % (v, s, len(pts), t))
PY
