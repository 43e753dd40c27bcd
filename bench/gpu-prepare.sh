#!/usr/bin/env bash
# Prepares .gpu/ (git-ignored) for a GPU machine that has no Java: a jlinked runtime and detrain's
# jars, about 55 MB. Then, in the device `run` call (carry: .gpu), run bench/gpu-run.sh, e.g.
#   run(command="bash bench/gpu-run.sh", carry=[".gpu"])
# It checks every kernel against the Java reference on the GPU and measures it (JSON under $OUT).
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -f target/detrain.jar ]] || { echo "build first: make build" >&2; exit 1; }
rm -rf .gpu
mkdir -p .gpu/lib
jlink --add-modules java.base,java.logging,java.management,jdk.unsupported,jdk.incubator.vector \
  --strip-debug --no-man-pages --no-header-files --compress=2 --output .gpu/jre
cp target/detrain.jar target/detrain-bench.jar target/lib/*.jar .gpu/lib/
# aparapi-jni carries natives for every platform (19 MB); keep the Linux x86-64 one (the carry limit is 64 MiB)
jni=$(ls .gpu/lib/aparapi-jni-*.jar)
tmp=$(mktemp -d)
(cd "$tmp" && unzip -q "$OLDPWD/$jni" && find . -name '*.so' ! -name 'libaparapi_x86_64.so' -delete && find . -name '*.dll' -delete \
  && find . -name '*.dylib' -delete && rm -f "$OLDPWD/$jni" && zip -qr "$OLDPWD/$jni" .)
rm -rf "$tmp"
grep -qx '.gpu/' .gitignore 2>/dev/null || grep -qx '.gpu/' .git/info/exclude 2>/dev/null || echo '.gpu/' >> .git/info/exclude
du -sh .gpu
