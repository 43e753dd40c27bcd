#!/usr/bin/env bash
# make bench: detrain and PyTorch side by side in one run on this machine. Writes JSON and the rendered
# tables (benchmarks.md) to results/bench/ only; `make bench-docs` copies the tables into
# docs/benchmarks.md. Takes 20-40 minutes on 2 cores. Never part of `make test`.
#   BENCH_SECTIONS="single epochs tta gossip io"  which parts to run (default: all)
#   BENCH_DEVICES=java,jtp,cpu  devices for the single-rank table (add gpu on a GPU machine)
#   DPSGD_DEVICE=java           device of the multi-rank detrain runs
#   TTA_RANKS="4 8" TTA_MODELS="softmax mlp lenet" TTA_ALGORITHMS="dpsgd dsgt detag"
#   TTA_TARGET=softmax=0.78,mlp=0.80,lenet=0.78  TTA_EPOCHS=3 (detrain runs this long; PyTorch stops at the target)
#   TTA_EVERY=50 (iterations between evaluations, both sides)
set -euo pipefail
cd "$(dirname "$0")/.."
out=results/bench
mkdir -p "$out" build
py=/usr/bin/python3
stamp=$(date -u +%Y%m%dT%H%M%SZ)
sections=" ${BENCH_SECTIONS:-single epochs tta gossip io} "
want() { [[ $sections == *" $1 "* ]]; }
{ echo "$(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB;"
  echo "Java $(java -version 2>&1 | head -1 | cut -d'"' -f2), $(clinfo -l 2>/dev/null | sed -n 's/.*Device #0: //p' | head -1);"
  echo "load average at start $(cut -d' ' -f1-3 /proc/loadavg); $stamp"; } > "$out/machine.txt"

if want single; then
  echo "== memory triad" >&2
  gcc -O2 -fopenmp -o build/triad bench/triad.c
  OMP_NUM_THREADS=1 build/triad > "$out/triad-1.json"
  OMP_NUM_THREADS=2 build/triad > "$out/triad-2.json"

  echo "== detrain, one rank" >&2
  java --add-modules=jdk.incubator.vector -cp "target/detrain.jar:target/detrain-bench.jar:target/lib/*" org.detrain.bench.Bench \
    --devices "${BENCH_DEVICES:-java,jtp,cpu}" --mix-devices "${BENCH_DEVICES:-java,jtp,cpu}" --out "$out/detrain.json" \
    2> >(grep -v -e '^WARNING' -e 'com.aparapi' >&2)

  echo "== PyTorch, one process" >&2
  $py bench/torch_bench.py --out "$out/torch.json"
fi

if want epochs; then
  echo "== detrain, 4-rank D-PSGD epochs (multicore)" >&2
  runs=()
  for m in softmax mlp lenet; do
    bin/detrain train -np 4 --results build/bench-runs --run-id "$m-$stamp" --set model=$m --set batch=32 --set epochs=1 \
      --set eval.local=false --set log.every=50 --set device="${DPSGD_DEVICE:-java}" > /dev/null
    runs+=("build/bench-runs/$m-$stamp")
  done
  $py bench/epoch_times.py "${runs[@]}" > "$out/detrain-dpsgd.json"

  echo "== PyTorch, 4-rank D-PSGD epochs (gloo)" >&2
  $py bench/torch_dpsgd.py --ranks 4 --out "$out/torch-dpsgd.json"
fi

if want tta; then
  target=${TTA_TARGET:-softmax=0.78,mlp=0.80,lenet=0.78}
  every=${TTA_EVERY:-50}
  runs=()
  for n in ${TTA_RANKS:-4 8}; do
    for m in ${TTA_MODELS:-softmax mlp lenet}; do
      for a in ${TTA_ALGORITHMS:-dpsgd dsgt detag}; do
        echo "== time to accuracy: detrain $a, $m, $n ranks" >&2
        id="tta-$a-$m-$n-$stamp"
        bin/detrain train -np "$n" --results build/bench-runs --run-id "$id" --set algorithm="$a" --set model="$m" \
          --set batch=32 --set lr=0.05 --set epochs="${TTA_EPOCHS:-3}" --set eval.every=$every --set log.every=$every \
          --set eval.local=false --set eval.train.samples=1000 --set save.models=false \
          --set device="${DPSGD_DEVICE:-java}" > /dev/null
        runs+=("build/bench-runs/$id")
      done
    done
  done
  $py bench/time_to_accuracy.py --target "$target" "${runs[@]}" > "$out/detrain-tta.json"
  echo "== time to accuracy: PyTorch D-PSGD (gloo)" >&2
  $py bench/torch_dpsgd.py --to-accuracy --ranks "$(echo ${TTA_RANKS:-4 8} | tr ' ' ,)" \
    --models "$(echo ${TTA_MODELS:-softmax mlp lenet} | tr ' ' ,)" --target "$target" --eval-every $every \
    --max-epochs "${TTA_EPOCHS:-3}" --out "$out/torch-tta.json"
fi

if want gossip; then
  echo "== gossip round vs MPJ Express's own ring (detrain check)" >&2
  bin/detrain check -np 4 --rounds 1000 --floats 1048576 | tee "$out/check.txt" >&2
fi

if want io; then
  echo "== metrics I/O: 300 iterations, an evaluation every iteration vs every 300" >&2
  for i in 1 2 3; do
    for e in 1 300; do
      bin/detrain train -np 4 --results build/bench-runs --run-id "io-e$e-$i-$stamp" --set dataset=synthetic-hlsq \
        --set model=linear --set gradient.exact=true --set lr=0.05 --set iterations=300 --set eval.every=$e > /dev/null
    done
  done
  $py - "$stamp" > "$out/metrics-io.json" <<'PY'
import json, sys, statistics as st, h5py
rows = []
for e in (1, 300):
    runs = []
    for i in (1, 2, 3):
        with h5py.File("build/bench-runs/io-e%d-%d-%s/metrics.h5" % (e, i, sys.argv[1]), "r") as f:
            m = f["metrics"]
            runs.append({k: float(m[k][-1]) for k in ("wall_time", "training_time", "eval_time", "record_time",
                                                     "metrics_io_time", "checkpoint_time")})
    rows.append({"eval_every": e, "runs": runs, **{k: st.median(r[k] for r in runs) for k in runs[0]}})
print(json.dumps({"tool": "detrain-metrics-io", "rows": rows}, indent=1))
PY
fi

$py bench/report.py "$out" "$out/benchmarks.md"
echo "tables in $out/benchmarks.md; \`make bench-docs\` puts them into docs/benchmarks.md" >&2
