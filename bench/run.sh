#!/usr/bin/env bash
# The benchmarks, run by `make bench`: the nearby search (issue 2 §8), the ledger import
# of 30,000 workers (issue 3) and check-ins under load at city scale (issue 4).
#
# It works in its own database, warmstations_bench, so the 200,000 generated stations never
# mix with the development data. Safe to run again: the database and the data set are made
# only when missing, so a second run goes straight to the measurement.
#
#   bash bench/run.sh                 # both benchmarks
#   bash bench/run.sh nearby          # generate if needed, then measure 2,000 points
#   bash bench/run.sh import          # import 30,000 workers beside a raw COPY
#   bash bench/run.sh checkins        # 10M check-ins in the table, locust against gunicorn
#   bash bench/run.sh rollups         # the same city rolled up: rebuild, a day, freshness
#   bash bench/run.sh dashboards      # that city's dashboards and stats API (after rollups)
#   bash bench/run.sh feedback        # reports routed over 1,000 boundaries; the deadline job
#   BENCH_POINTS=500 bash bench/run.sh
#   BENCH_REGENERATE=1 bash bench/run.sh   # throw the stations away and generate again
set -euo pipefail

which=${1:-all}
case "$which" in all|nearby|import|checkins|rollups|dashboards|feedback) ;; *) echo "usage: bench/run.sh [all|nearby|import|checkins|rollups|dashboards|feedback]" >&2; exit 2 ;; esac
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}

export DJANGO_SETTINGS_MODULE=config.settings.local
export POSTGRES_DB=warmstations_bench
export POSTGRES_USER=${POSTGRES_USER:-warmstations}
export POSTGRES_PASSWORD=${POSTGRES_PASSWORD:-warmstations}
export POSTGRES_HOST=${POSTGRES_HOST:-127.0.0.1}
export POSTGRES_PORT=${POSTGRES_PORT:-5432}
# Measure what production runs: DEBUG off (no query log kept per request).
export DJANGO_DEBUG=false

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

export PGPASSWORD=$POSTGRES_PASSWORD
pg=(-h "$POSTGRES_HOST" -p "$POSTGRES_PORT")
exists=$(psql "${pg[@]}" -U "$POSTGRES_USER" -d postgres -qtAc \
  "SELECT 1 FROM pg_database WHERE datname = '$POSTGRES_DB'")
if [ "$exists" != "1" ]; then
  say "Creating database $POSTGRES_DB (PostGIS comes from template1)"
  # The project role has CREATEDB (scripts/services.sh); fall back to the superuser.
  createdb "${pg[@]}" -U "$POSTGRES_USER" "$POSTGRES_DB" 2>/dev/null \
    || psql "${pg[@]}" -U postgres -d postgres -qc \
      "CREATE DATABASE \"$POSTGRES_DB\" OWNER \"$POSTGRES_USER\""
fi

say "Migrating $POSTGRES_DB"
$PY manage.py migrate --noinput -v0

mkdir -p bench/results
if [ "$which" = all ] || [ "$which" = nearby ]; then
  say "Nearby search: generating the data set (skipped when it is already there)"
  $PY bench/generate.py
  say "Nearby search: measuring"
  $PY bench/measure.py --points "${BENCH_POINTS:-2000}" --out bench/results/latest.txt
fi
if [ "$which" = all ] || [ "$which" = import ]; then
  say "Ledger import: 30,000 workers"
  $PY bench/import_workers.py --out bench/results/import-latest.txt
fi
if [ "$which" = all ] || [ "$which" = checkins ]; then
  say "Check-ins under load: 2,000 stations, 100,000 workers, 10 million check-ins"
  $PY bench/checkins.py --out bench/results/checkins-latest.txt
fi
if [ "$which" = all ] || [ "$which" = rollups ]; then
  say "Rollups at city scale: rebuild beside one GROUPING SETS statement, a day, freshness"
  $PY bench/rollups.py --out bench/results/rollups-latest.txt
fi
if [ "$which" = all ] || [ "$which" = dashboards ]; then
  say "Dashboards and the stats API at city scale, server-side"
  # DEBUG is off, so pages name their static files through the collected manifest.
  $PY manage.py collectstatic --noinput -v0
  $PY bench/dashboards.py --out bench/results/dashboards-latest.txt
fi
if [ "$which" = all ] || [ "$which" = feedback ]; then
  say "Feedback: reports routed over 1,000 community boundaries; the deadline job over a year"
  $PY bench/feedback.py --out bench/results/feedback-latest.txt
fi
