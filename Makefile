# detrain — the README's two commands are `make run` and `make test`; both do all set-up.
SHELL := /bin/bash
MVN ?= mvn -q -B
NP ?= 8
CONFIG ?= jobs/quickstart.properties

.PHONY: run test test-cluster build deps mpj data bench bench-deps bench-torch clean help

help:
	@echo "make run    - set up, build and run the default job ($(NP) ranks, $(CONFIG))"
	@echo "make test   - set up, build and run the whole test suite"
	@echo "make test-cluster - the multi-node Slurm tests on a four-node cluster on this machine (root; CI runs it after make test)"
	@echo "make build | deps | mpj | data | clean"
	@echo "make bench  - detrain vs PyTorch throughput, mixing bandwidth, 4-rank epochs (docs/benchmarks.md)"

deps:
	@scripts/deps.sh

mpj: deps
	@scripts/setup-mpj.sh

data: deps
	@scripts/data.sh

build: deps
	$(MVN) package -DskipTests

run: build mpj data
	bin/detrain train -np $(NP) --config $(CONFIG)

test: deps mpj data
	$(MVN) verify

# Slurm across four nodes made of network namespaces (docs/slurm.md): over two minutes, so apart from `make test`
test-cluster: deps mpj data
	$(MVN) verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=MultiNodeSlurmIT

# the benchmark's own tools (not needed by `make test`): PyTorch 1.13 from Debian, gcc for the memory triad
bench-deps: deps
	@/usr/bin/python3 -c 'import torch' 2>/dev/null && command -v gcc >/dev/null || { \
	  [ "$$(id -u)" = 0 ] || { echo "make bench needs python3-torch and gcc: apt-get install python3-torch gcc" >&2; exit 1; }; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-torch gcc libc6-dev >/dev/null; }

bench-torch: bench-deps
	mkdir -p results/bench
	/usr/bin/python3 bench/torch_bench.py --out results/bench/torch.json
	/usr/bin/python3 bench/torch_dpsgd.py --out results/bench/torch-dpsgd.json

bench: build mpj data bench-deps
	bench/run.sh

clean:
	rm -rf target build
