# Shared by scripts/run.sh and scripts/test.sh: locate or build the tools pvpsync needs, and make sure
# PostgreSQL answers. Everything is built from the Go module proxy; nothing is downloaded as a binary.
TEMPORAL_VERSION=v1.5.1
STATICCHECK_VERSION=v0.8.2
GOSEC_VERSION=v2.30.0
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Tools are cached outside the checkout so a fresh clone on the same machine does not rebuild them.
CACHE=${PVP_TOOL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pvpsync}

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# go_tool NAME MODULE@VERSION: build once into the cache, link into ./bin.
go_tool() {
  local name=$1 pkg=$2 version=${2##*@}
  local cached="$CACHE/$name-$version"
  if [ ! -x "$cached" ]; then
    say "building $name $version from the Go module proxy (first time only; the Temporal CLI takes several minutes)"
    mkdir -p "$CACHE/gobin-$name"
    GOBIN="$CACHE/gobin-$name" go install "$pkg"
    mv "$CACHE/gobin-$name/$name" "$cached"
  fi
  mkdir -p "$ROOT/bin"
  ln -sf "$cached" "$ROOT/bin/$name"
}

ensure_temporal() { go_tool temporal "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_VERSION"; }

# ensure_postgres: the machine's PostgreSQL 15 on 127.0.0.1:5432, started if it is down; where no
# cluster exists, a throwaway one under .pvpsync/pg (DATABASE_URL is exported accordingly).
ensure_postgres() {
  if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then return; fi
  if command -v pg_ctlcluster >/dev/null && pg_lsclusters 2>/dev/null | grep -q '^15 *main'; then
    say "starting PostgreSQL 15"
    pg_ctlcluster --skip-systemctl-redirect 15 main start
  else
    local bindir=/usr/lib/postgresql/15/bin dir="$ROOT/.pvpsync/pg"
    [ -x "$bindir/initdb" ] || { echo "PostgreSQL 15 is not installed (apt-get install postgresql-15)" >&2; exit 1; }
    say "no PostgreSQL cluster: creating a throwaway one in $dir"
    mkdir -p "$dir"
    local run=(); [ "$(id -u)" = 0 ] && { chown -R postgres "$ROOT/.pvpsync"; run=(runuser -u postgres --); }
    [ -f "$dir/PG_VERSION" ] || "${run[@]}" "$bindir/initdb" -D "$dir" -U postgres --auth=trust >/dev/null
    "${run[@]}" "$bindir/pg_ctl" -D "$dir" -l "$dir/log" -o "-p 5432 -k /tmp -c listen_addresses=127.0.0.1" -w start
  fi
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && return; sleep 1; done
  echo "PostgreSQL does not answer on 127.0.0.1:5432" >&2; exit 1
}
