#!/usr/bin/env bash
# Prepare what `make run` and `make test` need on a Debian machine: PostgreSQL with
# PostGIS, Redis, gettext, and (with --browser) Chromium for the browser tests.
# Safe to run again: each step checks first and does nothing when it is already done.
set -euo pipefail

# --test: also what `make test` needs (Chromium for browser tests, a compose client to
# validate docker-compose.yml).
want_test=0
[ "${1:-}" = "--test" ] && want_test=1

DB_NAME=${POSTGRES_DB:-warmstations}
DB_USER=${POSTGRES_USER:-warmstations}
DB_PASSWORD=${POSTGRES_PASSWORD:-warmstations}
PG_VERSION=${PG_VERSION:-15}

# What this script starts is noted here, so `make run` can stop it again on Ctrl-C.
STARTED_DIR=${STARTED_DIR:-var/run}
mkdir -p "$STARTED_DIR"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf '\033[31m%s\033[0m\n' "$*" >&2; exit 1; }

if [ ! -r /etc/debian_version ]; then
  die "This set-up script needs Debian (or Ubuntu). On other systems install PostgreSQL $PG_VERSION
with PostGIS 3, Redis, gettext and Chromium yourself, or run the whole platform with:
    docker compose up"
fi
if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
  die "Run as root (or install sudo) so the script can install: postgresql-$PG_VERSION-postgis-3 redis-server gettext chromium.
Or run the whole platform with: docker compose up"
fi
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"

packages=()
dpkg -s "postgresql-$PG_VERSION-postgis-3" >/dev/null 2>&1 || packages+=("postgresql-$PG_VERSION-postgis-3")
dpkg -s redis-server >/dev/null 2>&1 || packages+=(redis-server)
dpkg -s gettext >/dev/null 2>&1 || packages+=(gettext)
if [ "$want_test" = 1 ]; then
  dpkg -s chromium >/dev/null 2>&1 || packages+=(chromium)
  # Chinese glyphs in the browser tests' screenshots (otherwise every character is a box).
  dpkg -s fonts-wqy-microhei >/dev/null 2>&1 || packages+=(fonts-wqy-microhei)
  # The facilities' icons (💧 🔌) as a phone shows them, for the README's screenshots.
  dpkg -s fonts-noto-color-emoji >/dev/null 2>&1 || packages+=(fonts-noto-color-emoji)
  if ! docker compose version >/dev/null 2>&1 && ! command -v docker-compose >/dev/null; then
    packages+=(docker-compose)
  fi
fi
if [ "${#packages[@]}" -gt 0 ]; then
  say "Installing ${packages[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

if ! pg_lsclusters -h 2>/dev/null | awk -v v="$PG_VERSION" '$1==v && $2=="main" && $4=="online"' | grep -q .; then
  say "Starting PostgreSQL $PG_VERSION"
  if ! pg_lsclusters -h | awk -v v="$PG_VERSION" '$1==v && $2=="main"' | grep -q .; then
    $SUDO pg_createcluster "$PG_VERSION" main >/dev/null
  fi
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" main start
  echo "$PG_VERSION" > "$STARTED_DIR/postgresql"
fi

if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  say "Starting Redis"
  $SUDO mkdir -p /var/lib/redis /var/log/redis
  $SUDO redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/warmstations.log
  touch "$STARTED_DIR/redis"
fi

psql_su() { $SUDO -u postgres psql -v ON_ERROR_STOP=1 -qtA "$@" 2>/dev/null || runuser -u postgres -- psql -v ON_ERROR_STOP=1 -qtA "$@"; }
if [ -z "$SUDO" ]; then psql_su() { runuser -u postgres -- psql -v ON_ERROR_STOP=1 -qtA "$@"; }; fi

# PostGIS is not a trusted extension: create it in template1 as the superuser so every new
# database, the test databases included, is born with it.
psql_su -d template1 -c "CREATE EXTENSION IF NOT EXISTS postgis;"
if [ "$(psql_su -c "SELECT 1 FROM pg_roles WHERE rolname='$DB_USER'")" != "1" ]; then
  say "Creating database role $DB_USER"
  psql_su -c "CREATE ROLE \"$DB_USER\" LOGIN CREATEDB PASSWORD '$DB_PASSWORD';"
fi
if [ "$(psql_su -c "SELECT 1 FROM pg_database WHERE datname='$DB_NAME'")" != "1" ]; then
  say "Creating database $DB_NAME"
  psql_su -c "CREATE DATABASE \"$DB_NAME\" OWNER \"$DB_USER\";"
fi
