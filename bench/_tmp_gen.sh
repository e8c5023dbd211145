#!/usr/bin/env bash
# The nearby-search benchmark (issue 2 §8), run by `make bench`.
#
# It works in its own database, warmstations_bench, so the 200,000 generated stations never
# mix with the development data. Safe to run again: the database and the data set are made
# only when missing, so a second run goes straight to the measurement.
#
#   bash bench/run.sh                 # generate if needed, then measure 2,000 points
#   BENCH_POINTS=500 bash bench/run.sh
#   BENCH_REGENERATE=1 bash bench/run.sh   # throw the stations away and generate again
set -euo pipefail

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

say "Generating the data set (skipped when it is already there)"
$PY bench/generate.py

say "Measuring"
