#!/usr/bin/env bash
# Times `make run`'s demo sync against each Temporal dev server storage, every run from scratch: a new
# state directory (so a new Temporal history file) and a new, empty PostgreSQL database. Prints each
# sync's time and its ratio to the in-memory server. Your .pvpsync and pvpsync database are untouched.
#
#   scripts/time-run.sh                        # file (the make run default) and memory
#   scripts/time-run.sh file memory file:      # "file:" = SQLite's own pragmas (fsync every commit)
#   scripts/time-run.sh file:journal_mode=wal,synchronous=normal memory
#
# Modes: memory; file (make run's default pragmas); file:P1,P2 (those SQLite pragmas instead).
# Needs ports 7233, 8233 and 9464 free: stop any `make run` first.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
MODES=("$@")
[ ${#MODES[@]} -gt 0 ] || MODES=(file memory)
DB=${PVP_TIME_RUN_DB:-pvpsync_timerun}
OUT="$ROOT/tmp/time-run"

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in 7233 8233 9464; do
  if port_open "$port"; then echo "port $port is in use: stop what listens there (a make run?) and retry" >&2; exit 1; fi
done
ensure_postgres
PSQL=$(command -v psql || echo "$(pg_bindir)/psql")
drop_db() { PGOPTIONS=--client-min-messages=warning "$PSQL" -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)"; }

# label MODE: the storage in words, for the table.
label() {
  case $1 in
    file) echo "file (journal_mode=wal synchronous=off)" ;;
    file:) echo "file (SQLite defaults)" ;;
    file:*) echo "file (${1#file:})" ;;
    *) echo "$1" ;;
  esac
}

declare -A took
for mode in "${MODES[@]}"; do
  state="$OUT/${mode//[^a-z0-9]/_}"
  rm -rf "$state" && mkdir -p "$state"
  drop_db
  # The demo as make run gives it to a newcomer: the fake Battle.net, a dev server of its own.
  env=(-u PVP_TEMPORAL_PRAGMAS -u BLIZZARD_CLIENT_ID -u BLIZZARD_CLIENT_SECRET -u TEMPORAL_ADDRESS
    PVP_STATE_DIR="$state" PVP_RUN_EXIT=1 DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB?sslmode=disable")
  case $mode in
    memory) env+=(PVP_TEMPORAL_DB=memory) ;;
    file) env+=(PVP_TEMPORAL_DB=file) ;;
    file:*) pragmas=${mode#file:}; env+=(PVP_TEMPORAL_DB=file PVP_TEMPORAL_PRAGMAS="${pragmas//,/ }") ;;
    *) echo "unknown mode $mode (memory, file, file:PRAGMA,...)" >&2; exit 2 ;;
  esac
  say "timing the demo sync: $(label "$mode") (log: ${state#"$ROOT"/}/run.log)"
  start=$SECONDS
  if ! env "${env[@]}" "$ROOT/scripts/run.sh" >"$state/run.log" 2>&1; then
    echo "make run failed ($mode):" >&2; tail -20 "$state/run.log" >&2; exit 1
  fi
  took[$mode]=$(cat "$state/sync-seconds")
  say "$(label "$mode"): sync $(fmt_duration "${took[$mode]}"), whole run $(fmt_duration $((SECONDS - start)))"
done
drop_db

echo
printf '%-45s %10s %s\n' "Temporal dev server storage" "sync" "ratio to memory"
for mode in "${MODES[@]}"; do
  ratio="-"
  if [ -n "${took[memory]:-}" ] && [ "${took[memory]}" -gt 0 ]; then
    ratio=$(awk -v a="${took[$mode]}" -v b="${took[memory]}" 'BEGIN { printf "%.2fx", a / b }')
  fi
  printf '%-45s %10s %s\n' "$(label "$mode")" "$(fmt_duration "${took[$mode]}")" "$ratio"
done
