#!/usr/bin/env bash
# The whole test suite, as CI runs it: static analysis, unit tests, PostgreSQL store tests, end-to-end
# syncs on the Temporal dev server, the fault suite and the UI screenshots, then the race detector on
# the concurrent packages and a short fuzz of every fuzz target.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_postgres
ensure_temporal
go_tool staticcheck "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION"
go_tool gosec "github.com/securego/gosec/v2/cmd/gosec@$GOSEC_VERSION"
# The UI test drives headless Chromium (Debian's package); CI installs it, a developer may skip it.
# With CI set (.ci/run sets CI=1) ops/ui_test.go fails instead of skipping when Chromium is missing.
if ! command -v chromium >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    say "installing Chromium (Debian package) for the UI screenshots"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  elif [ -n "${CI:-}" ] && [ "$CI" != 0 ] && [ "$CI" != false ]; then
    say "Chromium is missing: the UI screenshot test will fail (CI=$CI; apt-get install chromium, or set CHROMIUM)"
  else
    say "Chromium is missing: the UI screenshot test will be skipped (outside CI)"
  fi
fi

say "go vet"
go vet ./...
say "staticcheck"
bin/staticcheck ./...
say "gosec"
bin/gosec -quiet -exclude-generated ./...
say "go test"
go test -count=1 -timeout 80m ./...
# The packages whose code runs goroutines side by side: token and pacing state, the pgx pool users,
# the fake's shared world, the worker's process wiring.
say "go test -race (battlenet, store, fakeblizzard, service)"
go test -race -count=1 -timeout 20m ./battlenet/ ./store/ ./fakeblizzard/ ./service/
# Each fuzz target for a short fixed time on top of its committed corpus (<pkg>/testdata/fuzz, which
# plain go test also runs). Minimizing new inputs of the 50-300 KB fixture seeds would eat the whole
# budget, so it is off: a failure is written to testdata/fuzz as found.
for target in battlenet:FuzzDecode gear:FuzzSummarize gear:FuzzSelectLoadout triage:FuzzDecide; do
  say "fuzz ${target#*:} (${FUZZTIME:-20s})"
  go test -run '^$' -fuzz "^${target#*:}\$" -fuzztime "${FUZZTIME:-20s}" -fuzzminimizetime 0 "./${target%%:*}/"
done
