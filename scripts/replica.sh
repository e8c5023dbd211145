#!/usr/bin/env bash
# A PostgreSQL streaming replica (hot standby) of this machine's cluster, for trying the
# dashboards' and stats API's reads from a replica (config/db_router.py; BENCHMARKS.md,
# "Reading from a streaming replica"). Not for production: there the replica is its own
# server, set up by the district's DBA; the application only needs POSTGRES_REPLICA_HOST.
#
#   bash scripts/replica.sh start    # copy the cluster once (pg_basebackup), start on 5433
#   bash scripts/replica.sh status   # running? streaming? how far behind?
#   bash scripts/replica.sh stop     # stop it (the copy stays in var/replica)
#   bash scripts/replica.sh remove   # stop it and delete the copy
#
# Then run the application with POSTGRES_REPLICA_HOST=127.0.0.1 POSTGRES_REPLICA_PORT=5433.
#
# What `start` does, each step only when not done yet (safe to run again):
#   1. the primary (PostgreSQL $PG_VERSION on 127.0.0.1:5432) accepts replication
#      connections from 127.0.0.1: a `host replication all 127.0.0.1/32 trust` line in its
#      pg_hba.conf, then a reload (the only change made to the primary);
#   2. `pg_basebackup -R -X stream` copies the whole cluster into var/replica (every
#      database: a physical replica cannot take just one), owned by postgres;
#   3. the copy starts as a hot standby on port 5433 and we wait until it accepts
#      connections and streams from the primary.
# No replication slot is used: a slot keeps WAL on the primary for as long as the standby
# is away, and on a shared machine a forgotten stopped standby would fill the disk. The
# price: a copy stopped for long falls behind what the primary still keeps, and `start`
# then notices and takes a fresh copy.
#
# Run as root (it becomes postgres for the server's commands) or as postgres.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
PG_VERSION=${PG_VERSION:-15}
BIN=/usr/lib/postgresql/$PG_VERSION/bin
PRIMARY_HOST=127.0.0.1
PRIMARY_PORT=${REPLICA_PRIMARY_PORT:-5432}
REPLICA_PORT=${POSTGRES_REPLICA_PORT:-5433}
DATA=${REPLICA_DATA_DIR:-$ROOT/var/replica}
case "$DATA" in ""|/|"$ROOT"|"$ROOT/") echo "REPLICA_DATA_DIR must name a directory of its own" >&2; exit 2 ;; esac
LOG=$DATA/standby.log
APP_NAME=warmstations_replica

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf '\033[31m%s\033[0m\n' "$*" >&2; exit 1; }

if [ "$(id -un)" = postgres ]; then
  as_postgres() { "$@"; }
elif [ "$(id -u)" -eq 0 ]; then
  as_postgres() { runuser -u postgres -- "$@"; }
else
  die "Run as root or as postgres: the standby's files belong to postgres."
fi
[ -x "$BIN/pg_ctl" ] || die "PostgreSQL $PG_VERSION is not installed ($BIN/pg_ctl missing): bash scripts/services.sh"

primary_sql() { psql -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres -d postgres -qtAX -c "$1"; }
replica_sql() { psql -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -d postgres -qtAX -c "$1"; }
is_running() { [ -f "$DATA/PG_VERSION" ] && as_postgres "$BIN/pg_ctl" status -D "$DATA" >/dev/null 2>&1; }
has_copy() { [ -f "$DATA/PG_VERSION" ]; }

allow_replication_connections() {
  local hba
  hba=$(primary_sql "SHOW hba_file")
  # "all" in the database column does not match replication connections: they need their
  # own line. First match wins in pg_hba.conf; no earlier line matches these connections.
  if ! grep -Eq '^[[:space:]]*host[[:space:]]+replication[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "$hba"; then
    say "Allowing replication connections from 127.0.0.1 ($hba)"
    printf '\n# Added by warmstations scripts/replica.sh: the local streaming replica.\nhost replication all 127.0.0.1/32 trust\n' >>"$hba"
    primary_sql "SELECT pg_reload_conf()" >/dev/null
  fi
}

take_copy() {
  local need avail started elapsed
  # The whole cluster is copied: say how much, and refuse when the disk cannot hold it.
  need=$(primary_sql "SELECT sum(pg_database_size(oid)) FROM pg_database")
  mkdir -p "$(dirname "$DATA")"
  avail=$(df --output=avail -B1 "$(dirname "$DATA")" | tail -1)
  say "Copying the primary's cluster: $(numfmt --to=iec "$need") of databases (+ WAL), $(numfmt --to=iec "$avail") free"
  if [ "$avail" -lt $((need + need / 5)) ]; then
    die "Not enough disk for a copy of the cluster in $DATA. Free some space or set REPLICA_DATA_DIR."
  fi
  rm -rf "$DATA"
  mkdir -p "$DATA"
  chown postgres:postgres "$DATA" 2>/dev/null || true
  chmod 700 "$DATA"
  started=$(date +%s)
  # -c fast: an immediate checkpoint instead of waiting for a spread one (minutes).
  # -X stream: the WAL written during the copy comes along, so the copy is consistent.
  # -R: standby.signal and primary_conninfo, so it starts as a standby of this primary.
  as_postgres "$BIN/pg_basebackup" -d "host=$PRIMARY_HOST port=$PRIMARY_PORT user=postgres application_name=$APP_NAME" \
    -D "$DATA" -R -X stream -c fast
  elapsed=$(($(date +%s) - started))
  say "Copied in ${elapsed} s: $(du -sh "$DATA" | cut -f1) in $DATA"
  write_standby_config
}

write_standby_config() {
  # The Debian cluster keeps postgresql.conf and pg_hba.conf in /etc, so the copy has none:
  # the standby gets its own. A hot standby refuses to start with fewer connections, worker
  # processes, WAL senders, prepared transactions or locks than its primary: copied over.
  local setting value
  {
    echo "# The local streaming replica (scripts/replica.sh); rewritten by each copy."
    echo "port = $REPLICA_PORT"
    echo "listen_addresses = '127.0.0.1'"
    echo "unix_socket_directories = '/var/run/postgresql'"
    echo "cluster_name = '$PG_VERSION/replica'"
    echo "hot_standby = on"
    # Dashboard reads are short; a query the replay must wait for longer than this is
    # cancelled rather than letting the replica fall behind (the PostgreSQL default).
    echo "max_standby_streaming_delay = 30s"
    echo "shared_buffers = 128MB"
    echo "timezone = 'UTC'"
    echo "log_timezone = 'UTC'"
    for setting in max_connections max_worker_processes max_wal_senders \
      max_prepared_transactions max_locks_per_transaction; do
      value=$(primary_sql "SHOW $setting")
      echo "$setting = $value"
    done
  } | as_postgres tee "$DATA/postgresql.conf" >/dev/null
  printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' | as_postgres tee "$DATA/pg_hba.conf" >/dev/null
  printf '' | as_postgres tee "$DATA/pg_ident.conf" >/dev/null
}

LOG_OFFSET=0
start_server() {
  say "Starting the standby on port $REPLICA_PORT"
  # Only what this start writes to the log counts (wait_for_streaming reads it).
  LOG_OFFSET=$(stat -c %s "$LOG" 2>/dev/null || echo 0)
  as_postgres "$BIN/pg_ctl" start -D "$DATA" -l "$LOG" -w -t 300 >/dev/null \
    || die "The standby did not start; its log: $LOG"
  local tries=0
  until replica_sql "SELECT 1" >/dev/null 2>&1; do
    tries=$((tries + 1))
    [ "$tries" -lt 120 ] || die "The standby does not accept connections; its log: $LOG"
    sleep 0.5
  done
}

# Streaming within 30 s? "gone" when the primary no longer has the WAL the copy needs.
wait_for_streaming() {
  local tries=0 state
  while [ "$tries" -lt 60 ]; do
    state=$(replica_sql "SELECT status FROM pg_stat_wal_receiver" 2>/dev/null || true)
    [ "$state" = streaming ] && { echo streaming; return; }
    if tail -c +$((LOG_OFFSET + 1)) "$LOG" 2>/dev/null | grep -q "has already been removed"; then
      echo gone
      return
    fi
    tries=$((tries + 1))
    sleep 0.5
  done
  echo "${state:-not streaming}"
}

cmd_start() {
  pg_isready -q -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" \
    || die "The primary (127.0.0.1:$PRIMARY_PORT) is not running: pg_ctlcluster $PG_VERSION main start"
  allow_replication_connections
  if is_running; then
    say "The standby is already running on port $REPLICA_PORT"
    cmd_status
    return
  fi
  local fresh=0
  if ! has_copy; then
    take_copy
    fresh=1
  fi
  start_server
  local state
  state=$(wait_for_streaming)
  if [ "$state" = gone ] && [ "$fresh" = 0 ]; then
    say "The copy is older than the WAL the primary keeps: taking a fresh one"
    as_postgres "$BIN/pg_ctl" stop -D "$DATA" -m fast -w >/dev/null
    take_copy
    start_server
    state=$(wait_for_streaming)
  fi
  [ "$state" = streaming ] || die "The standby runs but does not stream from the primary ($state); its log: $LOG"
  say "Standby streaming from 127.0.0.1:$PRIMARY_PORT, accepting read-only connections on 127.0.0.1:$REPLICA_PORT"
  echo "    Use it: POSTGRES_REPLICA_HOST=127.0.0.1 POSTGRES_REPLICA_PORT=$REPLICA_PORT"
}

cmd_stop() {
  if is_running; then
    say "Stopping the standby"
    as_postgres "$BIN/pg_ctl" stop -D "$DATA" -m fast -w >/dev/null
  else
    say "The standby is not running"
  fi
}

cmd_status() {
  if ! is_running; then
    if has_copy; then
      echo "stopped (copy in $DATA, $(du -sh "$DATA" | cut -f1))"
    else
      echo "not set up (no copy in $DATA)"
    fi
    return 3
  fi
  local receiver
  receiver=$(replica_sql "SELECT status FROM pg_stat_wal_receiver" || true)
  echo "running on 127.0.0.1:$REPLICA_PORT, in recovery: $(replica_sql "SELECT pg_is_in_recovery()")"
  echo "WAL receiver: ${receiver:-none}"
  # The primary's view: WAL it has written that the standby has not replayed yet, and the
  # time the standby took to replay the last changes (empty when there were none lately).
  primary_sql "SELECT 'primary sees: ' || state || ', ' || pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint || ' bytes of WAL not yet replayed, replay lag ' || coalesce(replay_lag::text, '0') FROM pg_stat_replication WHERE application_name = '$APP_NAME'"
  echo "copy: $DATA ($(du -sh "$DATA" | cut -f1))"
}

cmd_remove() {
  cmd_stop
  if has_copy || [ -d "$DATA" ]; then
    say "Deleting $DATA"
    rm -rf "$DATA"
  fi
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  remove) cmd_remove ;;
  *) echo "usage: scripts/replica.sh start|stop|status|remove" >&2; exit 2 ;;
esac
