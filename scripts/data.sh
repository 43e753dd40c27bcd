#!/usr/bin/env bash
# make data: fill data/fashion-mnist/ with the four Fashion-MNIST files of the Debian package
# dataset-fashion-mnist and check them against data/fashion-mnist.sha256.
#
# Nothing is downloaded, except the Debian package itself when it is missing and this runs as root.
# Idempotent and silent when everything is already in place. Files are copied under a temporary
# name and renamed, so an interrupted run never leaves a half-written file behind.
#
# DETRAIN_FASHION_MNIST_SRC overrides where the files are copied from (default: the package's dir).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

readonly PACKAGE=dataset-fashion-mnist
readonly DEFAULT_SRC=/usr/share/datasets/fashion-mnist
readonly SRC=${DETRAIN_FASHION_MNIST_SRC:-$DEFAULT_SRC}
readonly DEST=data/fashion-mnist
readonly SUMS=data/fashion-mnist.sha256
readonly FILES=(train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz)

die() {
    echo "data.sh: $*" >&2
    exit 1
}

[[ -f $SUMS ]] || die "$SUMS is missing: restore it with 'git checkout -- $SUMS'"

# Everything already in place: the common case, and silent.
if sha256sum --check --status "$SUMS" 2>/dev/null; then
    exit 0
fi

expected_sum() {
    awk -v path="$DEST/$1" '$2 == path || $2 == "*" path { print $1 }' "$SUMS"
}

actual_sum() {
    sha256sum <"$1" | cut -d ' ' -f 1
}

if [[ ! -d $SRC ]]; then
    if [[ $SRC == "$DEFAULT_SRC" && $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
        echo "data.sh: installing the Debian package $PACKAGE" >&2
        export DEBIAN_FRONTEND=noninteractive
        # The package lists may be stale or absent on a fresh machine: refresh them and retry once.
        apt-get install -y -q "$PACKAGE" >/dev/null \
            || { apt-get update -q >/dev/null && apt-get install -y -q "$PACKAGE" >/dev/null; } \
            || die "apt-get could not install $PACKAGE: check the apt sources (it is in Debian main since bookworm)"
        [[ -d $SRC ]] || die "$PACKAGE is installed but $SRC does not exist: reinstall it (apt-get install --reinstall $PACKAGE)"
    else
        cat >&2 <<MSG
data.sh: Fashion-MNIST not found in $SRC.
Install the Debian package and run this again:
    sudo apt-get install $PACKAGE
    make data
(or set DETRAIN_FASHION_MNIST_SRC to a directory holding ${FILES[*]})
MSG
        exit 1
    fi
fi

mkdir -p "$DEST"
tmp=""
trap '[[ -z $tmp ]] || rm -f "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

copied=0
for f in "${FILES[@]}"; do
    want=$(expected_sum "$f")
    [[ -n $want ]] || die "$SUMS has no line for $DEST/$f: restore it with 'git checkout -- $SUMS'"
    if [[ -f $DEST/$f && $(actual_sum "$DEST/$f") == "$want" ]]; then
        continue
    fi
    [[ -f $SRC/$f ]] || die "$SRC/$f is missing: reinstall the package (apt-get install --reinstall $PACKAGE)"
    # Check the source before copying, so a different dataset never lands in $DEST.
    have=$(actual_sum "$SRC/$f")
    if [[ $have != "$want" ]]; then
        die "$SRC/$f has sha256 $have but $SUMS expects $want: these are not the files this repository" \
            "was checked against (installed $PACKAGE: $(dpkg-query -W -f='${Version}' "$PACKAGE" 2>/dev/null || echo none));" \
            "it was not copied; if the new files are intended, update $SUMS"
    fi
    tmp=$(mktemp "$DEST/.$f.XXXXXX.tmp")
    cp "$SRC/$f" "$tmp"
    chmod 0644 "$tmp"
    mv -f "$tmp" "$DEST/$f"
    tmp=""
    copied=$((copied + 1))
done

sha256sum --check --quiet "$SUMS" || die "checksums of $DEST do not match $SUMS after copying: run 'make data' again"
echo "data.sh: copied $copied file(s) into $DEST, checksums OK"
