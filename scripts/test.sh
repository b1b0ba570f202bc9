#!/usr/bin/env bash
# The whole test suite, as CI runs it: static analysis, unit tests, PostgreSQL store tests, end-to-end
# syncs on the Temporal dev server, the fault suite and the UI screenshots.
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
