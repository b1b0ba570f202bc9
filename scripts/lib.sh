# Shared by scripts/run.sh and scripts/test.sh: locate or build the tools pvpsync needs, and make sure
# PostgreSQL answers. Everything is built from the Go module proxy; nothing is downloaded as a binary.
TEMPORAL_VERSION=v1.5.1
STATICCHECK_VERSION=v0.8.2
GOSEC_VERSION=v2.30.0
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Tools are cached outside the checkout so a fresh clone on the same machine does not rebuild them.
CACHE=${PVP_TOOL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pvpsync}

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# fmt_duration SECONDS: "1 m 20 s".
fmt_duration() { if [ "$1" -ge 60 ]; then echo "$(($1 / 60)) m $(($1 % 60)) s"; else echo "$1 s"; fi; }

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

# go_build OUT PKG: build a pvpsync command stamped with its version (scripts/ldflags.sh, shared with
# the Makefile and the Dockerfile).
go_build() { go build -ldflags "$("$ROOT/scripts/ldflags.sh")" -o "$1" "$2"; }

# PostgreSQL: any installed server from PG_MIN_MAJOR on. faults/pgcluster_test.go (findPGBinDir) looks
# for the binaries the same way; keep the two in step.
PG_MIN_MAJOR=14
PG_MISSING="PostgreSQL $PG_MIN_MAJOR or newer is not installed: install the server (Debian/Ubuntu: apt-get install postgresql; macOS: brew install postgresql@17), or set DATABASE_URL to a running server"

# pg_major DIR: the major version of the server binaries in DIR (initdb --version), or failure.
pg_major() {
  local v
  v=$("$1/initdb" --version 2>/dev/null | sed -n 's/.*(PostgreSQL) \([0-9][0-9]*\).*/\1/p')
  [ -n "$v" ] && echo "$v"
}

# pg_bindir: the server binaries to use: pg_config's bindir when it holds a server >= 14 (pg_config
# may come from libpq-dev alone, with no server beside it), else the newest /usr/lib/postgresql/*/bin
# >= 14 (Debian/Ubuntu keep them off PATH), else an error naming what to install.
pg_bindir() {
  local dir v best="" best_v=0
  if dir=$(pg_config --bindir 2>/dev/null) && v=$(pg_major "$dir") && [ "$v" -ge "$PG_MIN_MAJOR" ]; then
    echo "$dir"; return
  fi
  for dir in /usr/lib/postgresql/*/bin; do
    v=$(pg_major "$dir") || continue
    if [ "$v" -ge "$PG_MIN_MAJOR" ] && [ "$v" -gt "$best_v" ]; then best=$dir best_v=$v; fi
  done
  [ -n "$best" ] && { echo "$best"; return; }
  echo "$PG_MISSING" >&2
  return 1
}

# pg_ready: something answers PostgreSQL's protocol on 127.0.0.1:5432 (pg_isready from PATH, else from
# the server binaries, else a bare TCP check).
pg_ready() {
  local isready
  isready=$(command -v pg_isready || true)
  [ -n "$isready" ] || { local dir; dir=$(pg_bindir 2>/dev/null) && isready="$dir/pg_isready"; }
  if [ -n "$isready" ]; then "$isready" -q -h 127.0.0.1 -p 5432; else (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; fi
}

# ensure_postgres: the machine's PostgreSQL (>= 14) on 127.0.0.1:5432, started if it is down; where no
# cluster exists, a throwaway one under .pvpsync/pg.
ensure_postgres() {
  if pg_ready 2>/dev/null; then return; fi
  local cluster=""
  if command -v pg_lsclusters >/dev/null; then
    # Debian's clusters: the newest >= 14 listening on 5432 ("VERSION NAME").
    cluster=$(pg_lsclusters --no-header 2>/dev/null | awk -v min="$PG_MIN_MAJOR" '$3 == 5432 && $1 + 0 >= min {print $1, $2}' | sort -rn | head -1)
  fi
  if [ -n "$cluster" ]; then
    say "starting PostgreSQL $cluster"
    # shellcheck disable=SC2086 # two words on purpose: version and cluster name
    pg_ctlcluster --skip-systemctl-redirect $cluster start
  else
    local bindir dir="$ROOT/.pvpsync/pg" major
    bindir=$(pg_bindir) || exit 1
    major=$(pg_major "$bindir")
    if [ -f "$dir/PG_VERSION" ] && [ "$(cat "$dir/PG_VERSION")" != "$major" ]; then
      echo "$dir was created by PostgreSQL $(cat "$dir/PG_VERSION"), the server found is $major ($bindir): remove $dir to start afresh" >&2
      exit 1
    fi
    say "no PostgreSQL cluster: creating a throwaway PostgreSQL $major one in $dir"
    mkdir -p "$dir"
    local run=(); [ "$(id -u)" = 0 ] && { chown -R postgres "$ROOT/.pvpsync"; run=(runuser -u postgres --); }
    [ -f "$dir/PG_VERSION" ] || "${run[@]}" "$bindir/initdb" -D "$dir" -U postgres --auth=trust >/dev/null
    "${run[@]}" "$bindir/pg_ctl" -D "$dir" -l "$dir/log" -o "-p 5432 -k /tmp -c listen_addresses=127.0.0.1" -w start
  fi
  for _ in $(seq 1 30); do pg_ready && return; sleep 1; done
  echo "PostgreSQL does not answer on 127.0.0.1:5432" >&2; exit 1
}
