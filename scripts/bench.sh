#!/usr/bin/env bash
# The benchmarks whose figures the README quotes.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_postgres
ensure_temporal
say "store: persist a 5,000-entry board"
go test ./store/ -run '^$' -bench SaveBoard5000 -benchtime 20x
say "end to end: sync a 5,000-character board"
go test ./bench/ -run '^$' -bench Sync5000 -benchtime 1x -timeout 60m
