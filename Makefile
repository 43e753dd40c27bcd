# detrain — the README's two commands are `make run` and `make test`; both do all set-up.
SHELL := /bin/bash
MVN ?= mvn -q -B
NP ?= 8
CONFIG ?= jobs/quickstart.properties

.PHONY: run test build deps mpj data bench clean help

help:
	@echo "make run    - set up, build and run the default job ($(NP) ranks, $(CONFIG))"
	@echo "make test   - set up, build and run the whole test suite"
	@echo "make build | deps | mpj | data | clean"

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

clean:
	rm -rf target build
