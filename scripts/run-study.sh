#!/usr/bin/env bash
# Runs one of the paper's two studies end to end on this machine, the way the paper tunes:
#   1. the tuning sweep jobs/sweeps/<study>-tune.sweep (seed 1, a step-size grid per algorithm and
#      DeTAG's (R, eta) choices),
#   2. `detrain sweep select`: per algorithm and setting the (lr, detag.R, detag.eta) with the lowest
#      final training objective f(x_bar), written as the final sweep,
#   3. the final runs of that sweep with seeds 2 and 3 (seed 1 of each chosen setting is its tuning
#      run: the same config and seed give the same bits),
#   4. `detrain report` of the chosen settings over seeds 1, 2, 3 (f(x_bar), loss, accuracy,
#      consensus; mean and seed band) into RESULTS_DIR/<study>-report; scripts/publish-studies.sh
#      then copies the key figures into docs/results.
#
#   scripts/run-study.sh heterogeneity|spectral-gap [RESULTS_DIR]      (default results/studies)
#
# Every step skips what is done (finished tasks are not run again), so a study that does not finish
# in one sitting continues where it stopped when the command is run again.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
detrain="$root/bin/detrain"
study=${1:?usage: scripts/run-study.sh heterogeneity|spectral-gap [RESULTS_DIR]}
out=${2:-$root/results/studies}
case $study in
  heterogeneity) by=algorithm,partition.shuffled ;;
  spectral-gap)  by=algorithm,weights.kappa ;;
  *) echo "run-study.sh: unknown study '$study' (heterogeneity or spectral-gap)" >&2; exit 2 ;;
esac
mkdir -p "$out"
tune="$out/$study-tune"
final="$out/$study-final"
echo "== $study: tuning ($tune)"
if [[ -d $tune ]]; then "$root/scripts/run-sweep-local.sh" "$tune" || true
else "$root/scripts/run-sweep-local.sh" "$root/jobs/sweeps/$study-tune.sweep" "$tune" || true; fi
unfinished=$("$detrain" sweep unfinished "$tune")
[[ -z $unfinished ]] || { echo "run-study.sh: tuning tasks $unfinished did not finish; run again" >&2; exit 3; }
echo "== $study: selecting"
if [[ ! -f $out/$study-final.sweep ]]; then
  "$detrain" sweep select "$tune" --by "$by" --vary lr,detag.R,detag.eta --seeds 2,3 \
    --out "$out/$study-final.sweep"   # named after the file: <study>-final
fi
echo "== $study: final runs ($final)"
if [[ -d $final ]]; then "$root/scripts/run-sweep-local.sh" "$final" || true
else "$root/scripts/run-sweep-local.sh" "$out/$study-final.sweep" "$final" || true; fi
echo "== $study: report"
mapfile -t chosen < <(/usr/bin/python3 "$root/scripts/study-chosen.py" "$tune" "$final")
"$detrain" report "$final" "${chosen[@]}" --out "$out/$study-report"
