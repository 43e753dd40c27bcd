#!/usr/bin/env bash
# Regenerates docs/results/<study>/ from the runs of scripts/run-study.sh (docs/results/README.md):
#   scripts/publish-studies.sh [STUDIES_DIR]          (default results/studies)
# For each study with final runs: `detrain report` on the final runs (seeds 2, 3 ... of each chosen
# setting, from every <study>-final* sweep directory) together with the tuning runs those settings
# were chosen from (seed 1), so every line is the mean over seeds 1, 2, 3 with their band; keeps the
# key figures (PNG shrunk with pngquant; the f(x̄) figures also as PDF), report.md and summary.csv, the
# final sweep files (what was chosen) and the tuning grid's summary (every setting's final values).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
studies=${1:-$root/results/studies}
keep=(objective_vs_epoch objective_vs_time consensus_vs_iteration accuracy_vs_epoch loss_vs_epoch)
vector=(objective_vs_epoch)   # the PDF kept in the repository (about 150 kB); report writes one for every figure
command -v pngquant >/dev/null || { echo "pngquant is missing: apt-get install pngquant" >&2; exit 1; }
published=0
for study in heterogeneity spectral-gap; do
  tune=$studies/$study-tune
  finals=()
  for d in "$studies/$study"-final*; do [[ -d $d && -f $d/sweep.sweep ]] && finals+=("$d"); done
  if [[ ! -d $tune || ${#finals[@]} -eq 0 ]]; then
    echo "$study: no final runs in $studies (scripts/run-study.sh $study first); left as it is" >&2
    continue
  fi
  # the seed-1 runs: the tuning tasks whose (algorithm, setting, lr, detag.R, detag.eta) a final sweep chose
  mapfile -t chosen < <(/usr/bin/python3 "$root/scripts/study-chosen.py" "$tune" "${finals[@]}")
  out=$root/docs/results/$study
  tmp=$(mktemp -d)
  "$root/bin/detrain" report "${finals[@]}" "${chosen[@]}" --out "$tmp/report" >/dev/null
  rm -rf "$out"; mkdir -p "$out"
  cp "$tmp/report/summary.csv" "$out/"
  for f in "${keep[@]}"; do
    [[ -f $tmp/report/$f.png ]] || continue
    pngquant --quality=60-90 --speed 1 --output "$out/$f.png" --force "$tmp/report/$f.png"
    [[ " ${vector[*]} " == *" $f "* ]] && cp "$tmp/report/$f.pdf" "$out/"
  done
  # report.md without the sections of the figures left out
  /usr/bin/python3 - "$tmp/report/report.md" "$out/report.md" "${keep[@]}" <<'PY'
import re, sys
src, dst, keep = sys.argv[1], sys.argv[2], set(sys.argv[3:])
parts = re.split(r"(?m)^(?=##+ )", open(src).read())
out = [p for p in parts if not re.search(r"\]\([^)]*\.png\)", p) or any("(%s.png)" % k in p for k in keep)]
open(dst, "w").write("".join(out))
PY
  sed -i "s#${studies}/#results/studies/#g" "$out/report.md"   # the repository's names, not this machine's
  for f in "${keep[@]}"; do # no link to a PDF left out
    [[ -f $out/$f.pdf ]] || sed -i "/(${f}.pdf)/d" "$out/report.md"
  done
  for f in "${finals[@]}"; do # the config as the repository names it, not this machine's path
    sed -E 's#^config = .*/jobs/#config = ../../../jobs/#' "$f/sweep.sweep" > "$out/$(basename "$f").sweep"
  done
  "$root/bin/detrain" sweep collect "$tune" >/dev/null || true
  cp "$tune/summary.csv" "$out/tuning-summary.csv"
  rm -rf "$tmp"
  echo "$out: $(du -sh "$out" | cut -f1)"
  published=$((published + 1))
done
(( published > 0 )) || { echo "nothing to publish" >&2; exit 3; }
