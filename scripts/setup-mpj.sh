#!/usr/bin/env bash
# Assembles a working MPJ Express home in build/mpj from Debian's libmpj-java.
# Debian's mpjrun is broken as packaged (its jars miss log4j and the commons jars), so we build a
# home whose lib/ holds copies (not symlinks: the jars' Class-Path entries resolve next to them) of
# MPJ's jars without the -0.44 suffix plus the jars it needs, and conf/ from /etc/mpj.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
home="$root/build/mpj"
src=/usr/share/mpj/lib
if [[ ! -d $src ]]; then
  echo "MPJ Express is not installed ($src missing): apt-get install libmpj-java (make deps does it as root)" >&2
  exit 1
fi
if [[ -f $home/.complete ]]; then exit 0; fi
tmp="$home.tmp.$$"
rm -rf "$tmp"; mkdir -p "$tmp/lib" "$tmp/conf"
for jar in "$src"/*-0.44.jar; do
  cp "$jar" "$tmp/lib/$(basename "$jar" -0.44.jar).jar"
done
for jar in log4j-1.2 commons-cli commons-codec commons-io; do
  cp -L "/usr/share/java/$jar.jar" "$tmp/lib/"
done
cp /etc/mpj/* "$tmp/conf/"
touch "$tmp/.complete"
rm -rf "$home"; mv "$tmp" "$home"
echo "MPJ Express home ready: $home"
