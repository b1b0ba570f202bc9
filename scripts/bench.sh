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
say "end to end: a day of a 5,000-character region, idle detection on and off (issue 11)"
go test ./bench/ -run '^$' -bench Day -benchtime 1x -timeout 150m
say "storage: bytes per entry-snapshot over 4 syncs, new layout against the old (issue 12)"
go test ./bench/ -run '^$' -bench Storage -benchtime 1x -timeout 60m
say "meta: refresh and per-spec reports on the 5,000-character region (issue 15)"
go test ./bench/ -run '^$' -bench Meta -benchtime 1x -timeout 40m
