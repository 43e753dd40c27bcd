#!/usr/bin/env bash
# Regenerates docs/results/ from the studies' runs (scripts/run-sweep-local.sh, see docs/results/README.md):
# runs `detrain report` on each study, keeps the key figures (PNG, shrunk with pngquant so the
# committed files stay small, and the PDF beside each for papers).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
keep=(objective_vs_epoch loss_vs_epoch accuracy_vs_epoch consensus_vs_iteration)
command -v pngquant >/dev/null || { echo "pngquant is missing: apt-get install pngquant" >&2; exit 1; }
for study in heterogeneity heterogeneity-same-step spectral-gap; do
  runs=$root/results/studies/$study
  [[ -d $runs ]] || { echo "no runs in $runs: run scripts/run-sweep-local.sh first (docs/results/README.md)" >&2; exit 1; }
  out=$root/docs/results/$study
  tmp=$(mktemp -d)
  "$root/bin/detrain" report "$runs" --out "$tmp/report" >/dev/null
  rm -rf "$out"; mkdir -p "$out"
  cp "$tmp/report/summary.csv" "$out/"
  for f in "${keep[@]}"; do
    [[ -f $tmp/report/$f.png ]] || continue   # e.g. f(x̄) of runs from before it was measured
    pngquant --quality=60-90 --speed 1 --output "$out/$f.png" --force "$tmp/report/$f.png"
    cp "$tmp/report/$f.pdf" "$out/"
  done
  # report.md without the sections of the figures left out
  /usr/bin/python3 - "$tmp/report/report.md" "$out/report.md" "${keep[@]}" <<'PY'
import re, sys
src, dst, keep = sys.argv[1], sys.argv[2], set(sys.argv[3:])
text = open(src).read()
parts = re.split(r"(?m)^(?=##+ )", text)
# a section goes when it shows a figure that is not kept (the runs without results stay)
out = [p for p in parts if not re.search(r"\]\([^)]*\.png\)", p) or any("(%s.png)" % k in p for k in keep)]
open(dst, "w").write("".join(out).replace("results/studies/", "results/studies/"))
PY
  rm -rf "$tmp"
  echo "$out: $(du -sh "$out" | cut -f1)"
done
