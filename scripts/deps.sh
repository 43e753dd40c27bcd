#!/usr/bin/env bash
# Installs the Debian packages detrain needs, if any is missing. Idempotent; quiet when all is there.
set -euo pipefail
packages=(
  openjdk-17-jdk-headless maven git        # build
  libmpj-java liblog4j1.2-java libcommons-cli-java libcommons-codec-java libcommons-io-java  # MPJ Express + the jars its starter lacks
  ocl-icd-libopencl1 pocl-opencl-icd clinfo # OpenCL on the CPU (Aparapi)
  dataset-fashion-mnist                     # training data, no downloads at run time
  hdf5-tools python3-h5py python3-numpy     # h5dump / h5py read the results
  python3-pandas python3-xarray             # python/detrain_results: results as DataFrames (xarray: to_xarray)
  python3-matplotlib                        # docs/examples plot with matplotlib (run by the tests)
  fonts-dejavu-core                         # text in detrain report's PNGs (headless Java draws with it)
  slurm-wlm munge iproute2 util-linux       # Slurm templates and multi-host tests (one-node Slurm, netns hosts)
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0
if [[ $(id -u) -ne 0 ]]; then
  echo "detrain needs these Debian packages: ${missing[*]}" >&2
  echo "install them as root: apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
