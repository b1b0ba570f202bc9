#!/usr/bin/env bash
# One command to see pvpsync work: Temporal dev server (Web UI on 8233) + PostgreSQL + the fake
# Battle.net server (unless BLIZZARD_CREDENTIALS or BLIZZARD_CLIENT_ID/BLIZZARD_CLIENT_SECRET are set)
# + the worker, then a sync of one region with a progress bar. Ctrl-C stops everything this script started.
#
# Options (environment):
#   PVP_REGION=us            region to sync
#   PVP_BRACKETS=...         boards (default with the fake: 3v3,2v2,shuffle-mage-frost,shuffle-rogue-subtlety)
#   PVP_TEMPORAL_DB=file     file (default: .pvpsync/temporal.db, history survives restarts) or memory
#   PVP_TEMPORAL_PRAGMAS=... SQLite pragmas of the file (default: journal_mode=wal synchronous=off;
#                            set it empty for SQLite's own settings: more durable, ~3x slower)
#   PVP_RUN_EXIT=1           exit once the sync is done instead of keeping the UI up
#   PVP_STATE_DIR=.pvpsync   logs, Temporal's history file (scripts/time-run.sh uses throwaway ones)
#   DATABASE_URL             default postgres://postgres@127.0.0.1:5432/pvpsync?sslmode=disable
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
STATE=${PVP_STATE_DIR:-$ROOT/.pvpsync}
mkdir -p "$STATE"
REGION=${PVP_REGION:-us}
PIDS=()

cleanup() {
  trap - EXIT INT TERM
  if [ ${#PIDS[@]} -gt 0 ]; then
    say "stopping what this script started"
    # The worker first (SIGTERM: it finishes running activities), then the fake and the dev server.
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# 1. Tools and binaries.
ensure_temporal
say "building pvpsync"
go_build bin/worker ./worker
go_build bin/starter ./starter
go_build bin/fakeblizzard ./cmd/fakeblizzard

# 2. Temporal dev server with its Web UI and pvpsync's search attributes: the list is
# workflows.SearchAttributeTypes (a workflow upserting an unregistered one fails its tasks forever).
export TEMPORAL_ADDRESS=${TEMPORAL_ADDRESS:-127.0.0.1:7233}
SEARCH_ATTRIBUTES=(PvpRegion=Keyword PvpBracket=Keyword PvpSeason=Int PvpOutcome=Keyword)
if port_open 7233; then
  say "a Temporal server already answers on 7233: using it"
else
  db_args=(--db-filename "$STATE/temporal.db")
  # SQLite's defaults fsync every commit: the demo sync took ~3x as long as in memory
  # (scripts/time-run.sh). WAL without fsync is as fast as memory and still keeps the history across
  # restarts, even after a crash of the server process; only an OS crash or power cut may lose or
  # corrupt it, acceptable for a dev server's history.
  for pragma in ${PVP_TEMPORAL_PRAGMAS-journal_mode=wal synchronous=off}; do db_args+=(--sqlite-pragma "$pragma"); done
  [ "${PVP_TEMPORAL_DB:-file}" = memory ] && db_args=()
  say "starting the Temporal dev server (UI http://localhost:8233, history in ${db_args[1]:-memory})"
  sa_args=()
  for sa in "${SEARCH_ATTRIBUTES[@]}"; do sa_args+=(--search-attribute "$sa"); done
  # One partition per task queue: the server splits a queue's rate limit evenly over its partitions,
  # each its own token bucket, which makes a credential's budget bursty and under-used (README).
  bin/temporal server start-dev --ip 127.0.0.1 --port 7233 --ui-port 8233 --log-level warn \
    --dynamic-config-value matching.numTaskqueueReadPartitions=1 \
    --dynamic-config-value matching.numTaskqueueWritePartitions=1 \
    "${db_args[@]}" "${sa_args[@]}" >"$STATE/temporal.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 60); do bin/temporal operator cluster health --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1 && break; sleep 1; done
fi
# Registering is idempotent: a server started elsewhere gets the attributes too.
for sa in "${SEARCH_ATTRIBUTES[@]}"; do
  bin/temporal operator search-attribute create --address "$TEMPORAL_ADDRESS" --name "${sa%%=*}" --type "${sa##*=}" >/dev/null 2>&1 || true
done

# 3. PostgreSQL and the schema.
if [ -z "${DATABASE_URL:-}" ]; then
  ensure_postgres
  export DATABASE_URL="postgres://postgres@127.0.0.1:5432/pvpsync?sslmode=disable"
fi
say "applying migrations"
bin/worker migrate up --create-database >/dev/null

# 4. Battle.net: real credentials, or the fake.
if [ -n "${BLIZZARD_CREDENTIALS:-}" ] || { [ -n "${BLIZZARD_CLIENT_ID:-}" ] && [ -n "${BLIZZARD_CLIENT_SECRET:-}" ]; }; then
  say "using the real Battle.net API with your credentials"
  BRACKETS=${PVP_BRACKETS:-3v3}
else
  say "starting the fake Battle.net server"
  BRACKETS=${PVP_BRACKETS:-3v3,2v2,shuffle-mage-frost,shuffle-rogue-subtlety}
  bin/fakeblizzard --addr 127.0.0.1:0 --seed 1 --characters 400 --spec-characters 100 \
    --brackets "$BRACKETS" >"$STATE/fakeblizzard.env" 2>"$STATE/fakeblizzard.log" &
  PIDS+=($!)
  for _ in $(seq 1 50); do grep -q BLIZZARD_CLIENT_SECRET "$STATE/fakeblizzard.env" 2>/dev/null && break; sleep 0.1; done
  set -a; source "$STATE/fakeblizzard.env"; set +a
  # The fake is not Blizzard: no hourly quota to respect, so let the demo run at full speed.
  export PVP_SYNC_RPS=${PVP_SYNC_RPS:-1000} PVP_SYNC_RPH=${PVP_SYNC_RPH:-100000000} PVP_SYNC_THREADS=${PVP_SYNC_THREADS:-32}
fi

# 5. The worker, then one sync with a progress bar.
say "starting the worker (log: .pvpsync/worker.log, metrics: http://127.0.0.1:9464/metrics)"
PVP_LOG_FORMAT=${PVP_LOG_FORMAT:-json} bin/worker >"$STATE/worker.log" 2>&1 &
PIDS+=($!)
sleep 2
if ! kill -0 "${PIDS[-1]}" 2>/dev/null; then
  echo "the worker stopped at start:" >&2; tail -5 "$STATE/worker.log" >&2; exit 1
fi
bin/starter schedule create --region "$REGION" --brackets "$BRACKETS" --paused --if-not-exists \
  --note "created paused by make run: unpause with 'starter schedule unpause --region $REGION'" >/dev/null || true
sync_start=$SECONDS
bin/starter sync --region "$REGION" --brackets "$BRACKETS" --wait
# scripts/time-run.sh reads this: the sync alone, without the builds and start-ups around it.
echo $((SECONDS - sync_start)) >"$STATE/sync-seconds"

echo
echo "Temporal UI:  http://localhost:8233/namespaces/default/workflows"
echo "Filter:       PvpRegion = \"$REGION\" AND PvpBracket = \"3v3\""
echo "Metrics:      http://127.0.0.1:9464/metrics"
echo "Schedule:     bin/starter schedule describe --region $REGION (created paused)"
if [ "${PVP_RUN_EXIT:-0}" = 1 ]; then exit 0; fi
echo "Everything keeps running so you can look around; Ctrl-C stops it all."
wait "${PIDS[@]}"
