# pvpsync — the two commands that matter: `make run` and `make test`.
SHELL := /bin/bash

.PHONY: run test bench build image time-run

# Version, commit and build time stamped into every binary (package buildinfo); scripts/ldflags.sh is
# the one place that computes them, for make run and the Dockerfile too. Computed once per make.
LDFLAGS := $(shell ./scripts/ldflags.sh)

## run: dev server + local PostgreSQL + fake Battle.net (unless BLIZZARD_CREDENTIALS or BLIZZARD_CLIENT_ID/SECRET are set) + worker + one sync
run:
	./scripts/run.sh

## test: everything CI runs: vet, staticcheck, gosec, unit, store, end-to-end, fault and UI tests
test:
	./scripts/test.sh

## bench: the figures quoted in the README
bench:
	./scripts/bench.sh

## time-run: the demo sync timed with the file-backed Temporal dev server and in memory (README figures)
time-run:
	./scripts/time-run.sh

## build: the three binaries into ./bin, stamped with their version
build:
	@mkdir -p bin
	go build -ldflags "$(LDFLAGS)" -o bin/worker ./worker
	go build -ldflags "$(LDFLAGS)" -o bin/starter ./starter
	go build -ldflags "$(LDFLAGS)" -o bin/fakeblizzard ./cmd/fakeblizzard

## image: the Docker image pvpsync:dev, stamped like make build (the build context holds no .git)
image:
	docker build $(shell ./scripts/ldflags.sh --build-args) -t pvpsync:dev .
