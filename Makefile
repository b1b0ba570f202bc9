# pvpsync — the two commands that matter: `make run` and `make test`.
SHELL := /bin/bash
TEMPORAL_VERSION := v1.5.1
BIN := $(CURDIR)/bin
export PATH := $(BIN):$(PATH)

.PHONY: run test test-short bench vet lint build clean-state

## run: dev server + local PostgreSQL + fake Battle.net (unless BLIZZARD_CLIENT_ID/SECRET are set) + worker + a sync
run: bin/temporal build
	./scripts/run.sh

## test: everything: vet, static analysis, unit, store, end-to-end and UI tests (needs PostgreSQL; builds bin/temporal once)
test: bin/temporal
	./scripts/test.sh

## bench: the figures quoted in the README
bench: bin/temporal
	go test ./store/ -run '^$$' -bench SaveBoard -benchtime 20x
	go run ./cmd/bench

build:
	@mkdir -p $(BIN)
	go build -o $(BIN)/worker ./worker
	go build -o $(BIN)/starter ./starter
	go build -o $(BIN)/fakeblizzard ./cmd/fakeblizzard

# The Temporal CLI (dev server + Web UI) is built from the Go module proxy: nothing is downloaded as a
# prebuilt binary. The first build takes several minutes.
bin/temporal:
	@mkdir -p $(BIN)
	@echo "building the Temporal CLI $(TEMPORAL_VERSION) into ./bin (first time only: several minutes)…"
	GOBIN=$(BIN) go install github.com/temporalio/cli/cmd/temporal@$(TEMPORAL_VERSION)

clean-state:
	rm -rf .pvpsync
