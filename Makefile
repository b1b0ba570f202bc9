# pvpsync — the two commands that matter: `make run` and `make test`.
SHELL := /bin/bash

.PHONY: run test bench build

## run: dev server + local PostgreSQL + fake Battle.net (unless BLIZZARD_CLIENT_ID/SECRET are set) + worker + one sync
run:
	./scripts/run.sh

## test: everything CI runs: vet, staticcheck, gosec, unit, store, end-to-end, fault and UI tests
test:
	./scripts/test.sh

## bench: the figures quoted in the README
bench:
	./scripts/bench.sh

## build: the three binaries into ./bin
build:
	@mkdir -p bin
	go build -o bin/worker ./worker
	go build -o bin/starter ./starter
	go build -o bin/fakeblizzard ./cmd/fakeblizzard
