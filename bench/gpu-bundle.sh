#!/usr/bin/env bash
# make gpu-bundle: a self-contained folder for a node without Java (a GPU node, say) — a jlinked Java
# runtime, detrain's jars (main, rank, bench), its runtime libraries, MPJ Express's jars, and two
# launchers: bin/detrain (the whole CLI, multi-rank runs included) and bin/gpu-check (OpenCL devices,
# every kernel against the plain reference on the device, the benchmark). Copy the folder to the node
# and run it there; nothing is installed or written outside it. See docs/gpu.md.
#   bench/gpu-bundle.sh [OUT_DIR]        (default build/gpu-bundle; git-ignored)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-build/gpu-bundle}"
for f in target/detrain.jar target/detrain-rank.jar target/detrain-bench.jar build/mpj/lib/starter.jar; do
  [[ -f $f ]] || { echo "gpu-bundle: $f is missing; run 'make build mpj' first" >&2; exit 2; }
done
rm -rf "$out"
mkdir -p "$out/bin" "$out/target/lib" "$out/build/mpj"

# The runtime: what detrain's training, checking and benchmarking paths load (jdeps lists java.desktop,
# java.naming and java.sql too, for plots, log4j's JMS/JDBC appenders and Swing-based tools, which are
# not used there: leaving them out saves 15 MB). `detrain report` (plots) needs java.desktop: run it
# where the results are copied to.
jlink --add-modules java.base,java.logging,java.management,java.xml,jdk.unsupported,jdk.incubator.vector \
  --strip-debug --no-man-pages --no-header-files --compress=2 --output "$out/jre" 2>&1 | { grep -v '^WARNING: Using incubator' || true; }

cp target/detrain.jar target/detrain-rank.jar target/detrain-bench.jar "$out/target/"
# The runtime libraries, less xchart and VectorGraphics2D (plots only). aparapi-jni carries its native library for every
# platform (19 MB); keep the Linux x86-64 one.
for jar in target/lib/*.jar; do
  case "$(basename "$jar")" in
    xchart-*|VectorGraphics2D-*) ;;
    aparapi-jni-*)
      tmp=$(mktemp -d)
      (cd "$tmp" && unzip -q "$OLDPWD/$jar" && find . \( -name '*.so' ! -path './linux/libaparapi_x86_64.so' \
        -o -name '*.dll' -o -name '*.dylib' \) -delete && zip -qr "$OLDPWD/$out/target/lib/$(basename "$jar")" .)
      rm -rf "$tmp" ;;
    *) cp "$jar" "$out/target/lib/" ;;
  esac
done
cp -r build/mpj/lib build/mpj/conf "$out/build/mpj/"
cp -r jobs "$out/jobs"

cat > "$out/bin/detrain" <<'LAUNCHER'
#!/usr/bin/env bash
# detrain from a bundle made by `make gpu-bundle`: the bundle's own Java runtime, jars and MPJ Express.
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec "$home/jre/bin/java" -Djava.awt.headless=true ${DETRAIN_JAVA_OPTS:-} -Ddetrain.home="$home" \
  -cp "$home/target/detrain.jar:$home/target/lib/*" org.detrain.cli.Main "$@"
LAUNCHER

cat > "$out/bin/gpu-check" <<'CHECK'
#!/usr/bin/env bash
# gpu-check [DEVICE] OUT_DIR — on the node: lists the OpenCL set-up and devices, checks every kernel on
# DEVICE (default gpu; cpu, auto, jtp also work) against the plain reference, and benchmarks MLP and
# LeNet-5 at batch 32, 128 and 512 on DEVICE and on the Java engine. Text and JSON go to OUT_DIR:
# opencl.txt, devices.txt, check.txt, reference.json, bench.json, gpu-check.log. Exit 0 when every
# check passed, 2 when the device is not there (with what to do), 3 when a check failed.
set -uo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ $# -eq 1 ]]; then device=gpu; out="$1"; elif [[ $# -eq 2 ]]; then device="$1"; out="$2"; else
  echo "usage: gpu-check [DEVICE] OUT_DIR   (DEVICE: gpu (default), cpu, auto, jtp)" >&2; exit 2; fi
mkdir -p "$out" || exit 2
java=("$home/jre/bin/java" --add-modules=jdk.incubator.vector -Djava.awt.headless=true -Ddetrain.home="$home")
cp="$home/target/detrain.jar:$home/target/detrain-bench.jar:$home/target/lib/*"
quiet() { grep -v -e '^WARNING: Using incubator' -e 'untested OpenCL'; }

# The OpenCL set-up, read only: which ICD files the loader will read, and what clinfo sees.
{
  vendors="${OCL_ICD_VENDORS:-/etc/OpenCL/vendors}"
  echo "ICD files in $vendors:"
  for f in "$vendors"/*.icd; do [[ -e $f ]] && echo "  $f -> $(cat "$f")"; done
  echo "OCL_ICD_FILENAMES=${OCL_ICD_FILENAMES:-} (libraries the ICD loader loads besides those files)"
  command -v clinfo >/dev/null && { echo "clinfo -l:"; clinfo -l 2>&1; } || echo "(clinfo not installed)"
} > "$out/opencl.txt" 2>&1
cat "$out/opencl.txt"
"${java[@]}" -cp "$cp" org.detrain.cli.Main devices 2>&1 | quiet | tee "$out/devices.txt"
if [[ $device == gpu ]] && ! grep -q ':gpu:' "$out/devices.txt"; then
  nvidia=$( (ldconfig -p 2>/dev/null | grep -o '/[^ ]*libnvidia-opencl.so.1' | head -1) || true)
  {
    echo "gpu-check: OpenCL shows no GPU device."
    if [[ -n $nvidia ]] && ! grep -qs libnvidia-opencl "$vendors"/*.icd && [[ ${OCL_ICD_FILENAMES:-} != *nvidia* ]]; then
      echo "  NVIDIA's OpenCL library is here ($nvidia) but no ICD file in $vendors names it."
      echo "  As root (for everyone): echo libnvidia-opencl.so.1 > /etc/OpenCL/vendors/nvidia.icd"
      echo "  Without root (this shell): export OCL_ICD_FILENAMES=libnvidia-opencl.so.1"
    else
      echo "  Install the GPU vendor's OpenCL driver (NVIDIA: libnvidia-opencl.so.1 with the driver) and an"
      echo "  ICD file naming it in /etc/OpenCL/vendors; 'clinfo -l' must list the GPU."
    fi
    echo "  See docs/gpu.md. (gpu-check cpu OUT_DIR checks the OpenCL CPU device instead.)"
  } | tee -a "$out/gpu-check.log" >&2
  exit 2
fi
"${java[@]}" -cp "$cp" org.detrain.cli.Main devices --check "$device" 2>&1 | quiet | tee "$out/check.txt"
check=${PIPESTATUS[0]}
"${java[@]}" -cp "$cp" org.detrain.bench.GpuCheck --device "$device" --out "$out" 2>&1 | quiet | tee "$out/gpu-check.log"
reference=${PIPESTATUS[0]}
if [[ $check -ne 0 || $reference -ne 0 ]]; then
  echo "gpu-check: FAILED (devices --check exit $check, reference check exit $reference); see $out" >&2
  exit $(( check == 2 || reference == 2 ? 2 : 3 ))
fi
echo "gpu-check: every kernel on $device agrees with the reference; figures in $out/bench.json"
CHECK
chmod +x "$out/bin/detrain" "$out/bin/gpu-check"
cat > "$out/README.txt" <<'README'
A detrain bundle (make gpu-bundle): runs on a Linux x86-64 node without Java. See docs/gpu.md.
  bin/gpu-check [gpu|cpu] OUT_DIR     OpenCL set-up, kernels against the reference, benchmark
  bin/detrain devices                 what device= can name here
  bin/detrain train -np 2 --config jobs/quickstart.properties --set device=gpu --set dataset.dir=DIR
Fashion-MNIST is not inside: copy its four .gz files and point dataset.dir at them.
README
size=$(du -sm "$out" | cut -f1)
echo "gpu-bundle: $out, ${size} MiB ($(du -sm "$out/jre" | cut -f1) runtime, $(du -sm "$out/target" | cut -f1) detrain and libraries, $(du -sm "$out/build" | cut -f1) MPJ)"
if (( size >= 60 )); then echo "gpu-bundle: $out is ${size} MiB, over the 60 MiB budget" >&2; exit 1; fi
