#!/usr/bin/env bash
# make bench: detrain and PyTorch side by side in one run on this machine; JSON to results/bench/,
# tables into docs/benchmarks.md. Takes 10-20 minutes on 2 cores. Never part of `make test`.
#   BENCH_DEVICES=java,jtp,cpu  devices for the single-rank table (add gpu on a GPU machine)
#   DPSGD_DEVICE=java           device of the 4-rank D-PSGD epochs
set -euo pipefail
cd "$(dirname "$0")/.."
out=results/bench
mkdir -p "$out" build
py=/usr/bin/python3
stamp=$(date -u +%Y%m%dT%H%M%SZ)
{ echo "$(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB;"
  echo "Java $(java -version 2>&1 | head -1 | cut -d'"' -f2), $(clinfo -l 2>/dev/null | sed -n 's/.*Device #0: //p' | head -1);"
  echo "load average at start $(cut -d' ' -f1-3 /proc/loadavg); $stamp"; } > "$out/machine.txt"

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

echo "== detrain, 4-rank D-PSGD epochs (multicore)" >&2
runs=()
for m in softmax mlp lenet; do
  bin/detrain train -np 4 --results build/bench-runs --run-id "$m-$stamp" --set model=$m --set batch=32 --set epochs=1 \
    --set eval.local=false --set log.every=50 --set device="${DPSGD_DEVICE:-java}" > /dev/null
  runs+=("build/bench-runs/$m-$stamp")
done
$py bench/epoch_times.py "${runs[@]}" > "$out/detrain-dpsgd.json"

echo "== PyTorch, 4-rank D-PSGD epochs (gloo)" >&2
$py bench/torch_dpsgd.py --out "$out/torch-dpsgd.json"

$py bench/report.py "$out" docs/benchmarks.md
