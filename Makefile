# detrain — the README's two commands are `make run` and `make test`; both do all set-up.
SHELL := /bin/bash
# -Dstyle.color=never: no ANSI colour codes from Maven in logs (and .mvn/jvm.config: none of jansi's resets)
MVN ?= mvn -q -B -Dstyle.color=never
NP ?= 8
CONFIG ?= jobs/quickstart.properties

.PHONY: run test test-cluster build deps mpj data bench bench-deps bench-torch bench-jmh gpu-bundle clean help mutation

help:
	@echo "make run    - set up, build and run the default job ($(NP) ranks, $(CONFIG))"
	@echo "make test   - set up, build and run the whole test suite"
	@echo "make test-cluster - the multi-node Slurm tests on a four-node cluster on this machine (root; CI runs it after make test)"
	@echo "make build | deps | mpj | data | clean"
	@echo "make bench-scale - 8 to 1024 ranks on this machine: start-up, s/iteration, samples/s, peak RSS (about 15 minutes)"
	@echo "make bench-scale-doc - put the last bench-scale (and bench-scale-issue) tables into docs/benchmarks.md"
	@echo "make bench  - detrain vs PyTorch: throughput, mixing, epochs, time to accuracy, gossip vs MPJ, metrics I/O (results/bench)"
	@echo "make bench-docs - put the tables of the last make bench into docs/benchmarks.md"
	@echo "make bench-jmh  - JMH micro-benchmarks of the inner loops and the mixing kernel (about 2 minutes; JMH_ARGS=... to choose)"
	@echo "make gpu-bundle - build/gpu-bundle: a self-contained folder for a GPU node without Java (docs/gpu.md)"
	@echo "make mutation - PIT mutation testing of algo, gossip, topology (docs/testing.md; report in target/pit-reports)"

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

# every suite runs (unit tests, *IT tests, the Python package's tests); the last line is "N passed, N failed"
test: deps mpj data
	@MVN="$(MVN)" scripts/run-tests.sh

# PIT over algo/, gossip/, topology/ against the fast unit tests (a Maven profile: the normal build
# never loads PIT; the first run downloads it). Report: target/pit-reports/index.html.
mutation: deps
	$(MVN) -Pmutation test-compile org.pitest:pitest-maven:mutationCoverage
	@python3 scripts/pit-summary.py target/pit-reports/mutations.xml \
	    --require org.detrain.algo=85 --require org.detrain.gossip=85

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
	/usr/bin/python3 bench/torch_dpsgd.py --ranks 4 --out results/bench/torch-dpsgd.json

bench: build mpj data bench-deps
	bench/run.sh

# many ranks on one machine (bench/scale.py; docs/scaling.md): results/bench/scale*.json, never the doc by itself
bench-scale: build mpj data
	/usr/bin/python3 bench/scale.py run
bench-scale-issue: build mpj data
	/usr/bin/python3 bench/scale.py issue
bench-scale-doc:
	/usr/bin/python3 bench/scale.py table results/bench/scale.json --doc docs/benchmarks.md
	if [ -f results/bench/scale-issue.json ]; then /usr/bin/python3 bench/scale.py table results/bench/scale-issue.json --doc docs/benchmarks.md; fi
# the tables of the last `make bench` (results/bench) into docs/benchmarks.md, between its markers
bench-docs:
	/usr/bin/python3 bench/report.py results/bench docs/benchmarks.md

# JMH micro-benchmarks (src/jmh/java, Maven profile jmh: never part of the normal build), run briefly;
# JMH_ARGS to choose, e.g. JMH_ARGS="MixBench -p dim=1048576". Scores in results/bench/jmh.json; -prof gc shows
# gc.alloc.rate.norm: anything above ~0 B/op means a Vector API loop stayed boxed (a JIT accident, 100x slower).
JMH_ARGS ?=
bench-jmh: deps
	$(MVN) -Pjmh package -DskipTests
	mkdir -p results/bench
	java --add-modules=jdk.incubator.vector -cp 'target/detrain.jar:target/detrain-bench.jar:target/jmh-lib/*' \
	  org.openjdk.jmh.Main -wi 2 -w 1 -i 2 -r 1 -f 1 -prof gc -rf json -rff results/bench/jmh.json $(JMH_ARGS)

gpu-bundle: build mpj
	bench/gpu-bundle.sh build/gpu-bundle

clean:
	rm -rf target build
