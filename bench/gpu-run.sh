#!/usr/bin/env bash
# Runs on the GPU machine (see bench/gpu-prepare.sh): points OpenCL at NVIDIA's library, lists the
# devices, checks the GPU against the Java reference, and benchmarks it; results under $OUT (or /tmp).
set -uo pipefail
out="${OUT:-/tmp/detrain-gpu}"
mkdir -p "$out"
[[ -w /etc/OpenCL/vendors ]] && echo libnvidia-opencl.so.1 > /etc/OpenCL/vendors/nvidia.icd
java=(.gpu/jre/bin/java --add-modules=jdk.incubator.vector -cp '.gpu/lib/*')
"${java[@]}" org.detrain.cli.Main devices 2>&1 | tee "$out/devices.txt"
"${java[@]}" org.detrain.cli.Main devices --check "${GPU_DEVICE:-gpu}" 2>&1 | tee "$out/check.txt"
"${java[@]}" org.detrain.bench.Bench --devices "${GPU_DEVICE:-gpu},java" --java-threads 1 --mix-devices "${GPU_DEVICE:-gpu},java" \
  --batches 32,128,512 --seconds 1 --repeats 3 --out "$out/bench-gpu.json" 2>&1 | grep -v -e '^WARNING' | tee "$out/bench.txt"
